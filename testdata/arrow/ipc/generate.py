"""Writes the Arrow IPC and Parquet fixtures with the real pyarrow.

    python -m venv venv && venv/bin/pip install pyarrow==26.0.1
    venv/bin/python testdata/arrow/ipc/generate.py

The outputs are committed, so the test suite does not need pyarrow. `orders.arrow.json` is the
same schema in Arrow's JSON form, written by hand: tests/it/arrow.rs decodes every file here
and compares it with that one.
"""

import base64
import pathlib

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).parent


def field_id(n):
    return {b"PARQUET:field_id": str(n).encode()}


SCHEMA = pa.schema(
    [
        pa.field("order_id", pa.int64(), nullable=False, metadata=field_id(1)),
        pa.field("amount", pa.decimal128(18, 4), nullable=False, metadata=field_id(2)),
        pa.field(
            "items",
            pa.list_(
                pa.field(
                    "item",
                    pa.struct(
                        [
                            pa.field("sku", pa.string(), nullable=False),
                            pa.field("price", pa.int32(), nullable=False),
                        ]
                    ),
                )
            ),
            metadata=field_id(3),
        ),
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False, metadata=field_id(4)),
        pa.field("country", pa.dictionary(pa.int16(), pa.string()), metadata=field_id(5)),
        pa.field("attributes", pa.map_(pa.string(), pa.string()), metadata=field_id(6)),
    ],
    metadata={"owner": "payments-engineering"},
)


def main():
    message = SCHEMA.serialize().to_pybytes()
    (HERE / "orders.schema.arrow").write_bytes(message)
    (HERE / "orders.schema.b64").write_text(base64.b64encode(message).decode() + "\n")
    table = SCHEMA.empty_table()
    with pa.OSFile(str(HERE / "orders.arrow"), "wb") as sink:
        with pa.ipc.new_file(sink, SCHEMA) as writer:
            writer.write_table(table)
    with pa.OSFile(str(HERE / "orders.arrows"), "wb") as sink:
        with pa.ipc.new_stream(sink, SCHEMA) as writer:
            writer.write_table(table)
    feather.write_feather(table, str(HERE / "orders.feather"), compression="uncompressed")
    pq.write_table(table, str(HERE / "orders.parquet"), compression="none")


if __name__ == "__main__":
    main()
