"""confluent-kafka's own Schema Registry client and Avro serdes against a running accord.

Usage: python confluent_kafka_client.py http://127.0.0.1:PORT [--auth]
With --auth, the server runs with testdata/auth/principals.yaml and the checks are of access
control: Basic credentials as the client sends them (`basic.auth.user.info`).
Run by scripts/client-test (and so by .ci/run); prints one line per check and a closing
"N passed, N failed" line, and exits non-zero when a check fails.
"""

import json
import struct
import sys
import traceback
import urllib.request

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

V1 = """{"type": "record", "name": "Order", "namespace": "shop",
 "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"}]}"""
V2 = """{"type": "record", "name": "Order", "namespace": "shop",
 "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "int"},
            {"name": "note", "type": ["null", "string"], "default": null}]}"""
BREAKING = """{"type": "record", "name": "Order", "namespace": "shop",
 "fields": [{"name": "id", "type": "long"}, {"name": "coupon", "type": "string"}]}"""

ADDRESS = """{"type": "record", "name": "Address", "namespace": "geo",
 "fields": [{"name": "city", "type": "string"}]}"""
CUSTOMER = """{"type": "record", "name": "Customer", "namespace": "crm",
 "fields": [{"name": "name", "type": "string"}, {"name": "home", "type": "geo.Address"}]}"""

TOPIC = "orders"
SUBJECT = "orders-value"
results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok      {name}")
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
            results.append((name, e))
            print(f"FAILED  {name}: {e!r}")
            traceback.print_exc()
        return fn
    return wrap


def main(url):
    client = SchemaRegistryClient({"url": url})
    ctx = SerializationContext(TOPIC, MessageField.VALUE)
    state = {}

    @check("serializer auto-registers and frames with magic byte 0 and a big-endian id")
    def _():
        serializer = AvroSerializer(client, V1)
        payload = serializer({"id": 7, "amount": 1250}, ctx)
        assert payload[0] == 0, payload[:5]
        (schema_id,) = struct.unpack(">I", payload[1:5])
        assert schema_id == 1, schema_id
        state["v1_payload"] = payload

    @check("deserializer fetches the writer schema by id and decodes the record")
    def _():
        record = AvroDeserializer(client)(state["v1_payload"], ctx)
        assert record == {"id": 7, "amount": 1250}, record

    @check("a compatible evolution registers as version 2 with a new id")
    def _():
        payload = AvroSerializer(client, V2)({"id": 8, "amount": 99, "note": "gift"}, ctx)
        assert struct.unpack(">I", payload[1:5])[0] == 2
        assert AvroDeserializer(client)(payload, ctx)["note"] == "gift"
        latest = client.get_latest_version(SUBJECT)
        assert (latest.version, latest.schema_id) == (2, 2), latest

    @check("a reader on v2 reads data written with v1 (schema resolution)")
    def _():
        record = AvroDeserializer(client, V2)(state["v1_payload"], ctx)
        assert record == {"id": 7, "amount": 1250, "note": None}, record

    @check("an incompatible registration is refused with 409")
    def _():
        try:
            client.register_schema(SUBJECT, Schema(BREAKING, "AVRO"))
        except SchemaRegistryError as e:
            assert e.http_status_code == 409, e
            assert "AV" in e.error_message, e.error_message
        else:
            raise AssertionError("the incompatible schema was registered")

    @check("lookup, versions, subjects and compatibility answer like Confluent")
    def _():
        found = client.lookup_schema(SUBJECT, Schema(V1, "AVRO"))
        assert (found.version, found.schema_id) == (1, 1), found
        assert client.get_versions(SUBJECT) == [1, 2]
        assert SUBJECT in client.get_subjects()
        assert client.test_compatibility(SUBJECT, Schema(V2, "AVRO")) is True
        assert client.test_compatibility(SUBJECT, Schema(BREAKING, "AVRO")) is False
        client.set_compatibility(SUBJECT, "FULL")
        assert client.get_compatibility(SUBJECT) == "FULL"

    @check("deleting a subject and re-registering keeps the ids")
    def _():
        assert client.delete_subject(SUBJECT) == [1, 2]
        fresh = SchemaRegistryClient({"url": url})  # no cached answers
        assert fresh.register_schema(SUBJECT, Schema(V1, "AVRO")) == 1
        assert fresh.get_latest_version(SUBJECT).version == 3

    @check("a schema with a reference to another subject serializes and deserializes")
    def _():
        address_id = client.register_schema("address", Schema(ADDRESS, "AVRO"))
        customer = Schema(CUSTOMER, "AVRO", [SchemaReference("geo.Address", "address", 1)])
        customer_id = client.register_schema("customers-value", customer)
        assert customer_id != address_id
        registered = client.get_latest_version("customers-value")
        assert registered.schema.references[0].subject == "address", registered
        assert client.get_referenced_by("address", 1) == [customer_id]
        # A fresh client resolves the reference itself, from the writer schema's id.
        fresh = SchemaRegistryClient({"url": url})
        customers = SerializationContext("customers", MessageField.VALUE)
        serializer = AvroSerializer(fresh, customer, conf={"auto.register.schemas": False,
                                                            "use.latest.version": True})
        record = {"name": "Ada", "home": {"city": "Berlin"}}
        payload = serializer(record, customers)
        assert struct.unpack(">I", payload[1:5])[0] == customer_id
        decoded = AvroDeserializer(SchemaRegistryClient({"url": url}))(payload, customers)
        assert decoded == record, decoded

    @check("a subject of a data product takes compatible versions as minors and refuses breaks")
    def _():
        body = json.dumps({"domain": "shop", "owner": "shop-team", "subjects": ["products-value"]})
        request = urllib.request.Request(f"{url}/v1/products/shop.orders", data=body.encode(),
                                         method="PUT", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
        products = SerializationContext("products", MessageField.VALUE)
        AvroSerializer(client, V1)({"id": 1, "amount": 5}, products)
        AvroSerializer(client, V2)({"id": 2, "amount": 6, "note": None}, products)
        status = json.load(urllib.request.urlopen(f"{url}/v1/products/shop.orders"))
        assert status["latest"] == "1.1.0", status
        try:
            client.register_schema("products-value", Schema(BREAKING, "AVRO"))
        except SchemaRegistryError as e:
            assert e.http_status_code == 409, e
            assert "accord notice announce shop.orders --major 2" in e.error_message, e
        else:
            raise AssertionError("the breaking schema was registered")

    return summary()


def main_auth(url):
    """Against a server with access control: testdata/auth/principals.yaml."""
    with open("testdata/auth/payments-ci.token") as f:
        token = f.read().strip()
    # A token as the Basic password, as `basic.auth.user.info` sends it.
    publisher = SchemaRegistryClient({"url": url, "basic.auth.user.info": f"payments-ci:{token}"})
    reader = SchemaRegistryClient(
        {"url": url, "basic.auth.user.info": "analytics:analytics-example-password"})
    ctx = SerializationContext("payments.orders", MessageField.VALUE)
    state = {}

    @check("a publisher's serializer registers in its domain with basic.auth.user.info")
    def _():
        state["payload"] = AvroSerializer(publisher, V1)({"id": 7, "amount": 1250}, ctx)
        assert state["payload"][0] == 0

    @check("a reader's deserializer fetches the writer schema and decodes the record")
    def _():
        record = AvroDeserializer(reader)(state["payload"], ctx)
        assert record == {"id": 7, "amount": 1250}, record

    @check("a wrong password fails cleanly with 401 and error code 40101")
    def _():
        wrong = SchemaRegistryClient({"url": url, "basic.auth.user.info": "analytics:wrong"})
        try:
            wrong.get_subjects()
        except SchemaRegistryError as e:
            assert e.http_status_code == 401 and e.error_code == 40101, e
        else:
            raise AssertionError("a wrong password was let in")

    @check("a reader may not register, and a publisher may not write to another domain: 403")
    def _():
        for client, subject in ((reader, "payments.orders-value"),
                                (publisher, "orders.events-value")):
            try:
                client.register_schema(subject, Schema(V2, "AVRO"))
            except SchemaRegistryError as e:
                assert e.http_status_code == 403 and e.error_code == 40301, e
            else:
                raise AssertionError(f"{subject} was written")

    return summary()


def summary():
    passed = sum(1 for _, e in results if e is None)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if "--auth" in sys.argv[2:]:
        sys.exit(main_auth(sys.argv[1]))
    sys.exit(main(sys.argv[1]))
