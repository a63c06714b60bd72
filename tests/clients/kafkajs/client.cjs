// kafkajs's Schema Registry client (@kafkajs/confluent-schema-registry) against a running accord.
//
// Usage: node client.cjs http://127.0.0.1:PORT [--auth]
// With --auth, the server runs with testdata/auth/principals.yaml and the checks are of access
// control: `auth: {username, password}` as kafkajs sends it (HTTP Basic).
// Run by scripts/client-test (and so by .ci/run), from the repository root, with the package
// installed from package-lock.json beside this file; prints one line per check and a closing
// "N passed, N failed" line, and exits non-zero when a check fails.
'use strict'

const assert = require('node:assert/strict')
const fs = require('node:fs')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

const order = (fields) => ({ type: 'record', name: 'Order', namespace: 'shop', fields })
const V1 = order([{ name: 'id', type: 'long' }, { name: 'amount', type: 'int' }])
const V2 = order([
  { name: 'id', type: 'long' },
  { name: 'amount', type: 'int' },
  { name: 'note', type: ['null', 'string'], default: null },
])
const BREAKING = order([{ name: 'id', type: 'long' }, { name: 'coupon', type: 'string' }])

const avro = (schema) => ({ type: SchemaType.AVRO, schema: JSON.stringify(schema) })
const results = []

async function check(name, fn) {
  try {
    await fn()
    results.push(true)
    console.log(`ok      ${name}`)
  } catch (e) {
    results.push(false)
    console.log(`FAILED  ${name}: ${e && e.stack ? e.stack : e}`)
  }
}

// The registry's refusal: the client's error carries the HTTP status.
async function refused(promise, status) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.status, status, `expected HTTP ${status}, got ${e.status}: ${e.message}`)
    return true
  })
}

// A decoded record's fields (avsc decodes into an instance of a class named after the record).
const fields = (record) => ({ ...record })

// The wire format: magic byte 0, the schema id as a big-endian u32, then the Avro body.
function assertFramed(buffer, id) {
  assert.equal(buffer[0], 0, 'magic byte')
  assert.equal(buffer.readUInt32BE(1), id, 'schema id')
}

async function open(url) {
  const registry = new SchemaRegistry({ host: url })
  // Its own subject: the confluent-kafka checks run against the same server first.
  const subject = 'kafkajs.orders-value'
  const state = {}

  await check('register (checks the subject config, then sets it) and encode with the wire format', async () => {
    const { id } = await registry.register(avro(V1), { subject })
    assert.ok(id > 0)
    state.id = id
    state.message = await registry.encode(id, { id: 7, amount: 250 })
    assertFramed(state.message, id)
    const config = await (await fetch(`${url}/config/${subject}`)).json()
    assert.equal(config.compatibilityLevel, 'BACKWARD', 'the level kafkajs set on first registration')
  })

  await check('decode by the id in the message, as a consumer does', async () => {
    // A fresh client: nothing cached, the schema is fetched by id.
    const consumer = new SchemaRegistry({ host: url })
    assert.deepEqual(fields(await consumer.decode(state.message)), { id: 7, amount: 250 })
  })

  await check('the latest id, the id of a version and the id of a schema agree', async () => {
    assert.equal(await registry.getLatestSchemaId(subject), state.id)
    assert.equal(await registry.getRegistryId(subject, 1), state.id)
    assert.equal(await registry.getRegistryId(subject, 'latest'), state.id)
    assert.equal(await registry.getRegistryIdBySchema(subject, avro(V1)), state.id)
  })

  await check('a compatible evolution registers, and old messages decode with the new reader', async () => {
    const { id } = await registry.register(avro(V2), { subject })
    assert.notEqual(id, state.id)
    const decoded = await registry.decode(state.message, {
      [SchemaType.AVRO]: { readerSchema: V2 },
    })
    assert.deepEqual(fields(decoded), { id: 7, amount: 250, note: null })
  })

  await check('an incompatible schema is refused with 409', async () => {
    await refused(registry.register(avro(BREAKING), { subject }), 409)
  })

  await check('an unknown schema id is refused with 404', async () => {
    const message = Buffer.from([0, 0, 0, 0x7f, 0xff, 0x02])
    await refused(new SchemaRegistry({ host: url }).decode(message), 404)
  })
}

async function withAuth(url) {
  const token = fs.readFileSync('testdata/auth/payments-ci.token', 'utf8').trim()
  // A token as the Basic password: kafkajs speaks only Basic.
  const publisher = new SchemaRegistry({ host: url, auth: { username: 'payments-ci', password: token } })
  const reader = new SchemaRegistry({
    host: url,
    auth: { username: 'analytics', password: 'analytics-example-password' },
  })
  const state = {}

  await check("a publisher registers in its domain with auth: {username, password}", async () => {
    const { id } = await publisher.register(avro(V1), { subject: 'payments.kafkajs-value' })
    state.message = await publisher.encode(id, { id: 1, amount: 5 })
    assertFramed(state.message, id)
  })

  await check('a reader decodes', async () => {
    assert.deepEqual(fields(await reader.decode(state.message)), { id: 1, amount: 5 })
  })

  await check('a reader may not register: 403', async () => {
    await refused(reader.register(avro(V2), { subject: 'payments.kafkajs-value' }), 403)
  })

  await check("a publisher may not register in another domain's subject: 403", async () => {
    await refused(publisher.register(avro(V1), { subject: 'orders.events-value' }), 403)
  })

  await check('a wrong password fails cleanly with 401', async () => {
    const wrong = new SchemaRegistry({ host: url, auth: { username: 'analytics', password: 'wrong' } })
    await refused(wrong.getLatestSchemaId('payments.kafkajs-value'), 401)
  })

  await check('no credentials fails cleanly with 401', async () => {
    await refused(new SchemaRegistry({ host: url }).decode(state.message), 401)
  })
}

async function main() {
  const [url, ...flags] = process.argv.slice(2)
  if (flags.includes('--auth')) {
    await withAuth(url)
  } else {
    await open(url)
  }
  const failed = results.filter((ok) => !ok).length
  console.log(`kafkajs: ${results.length - failed} passed, ${failed} failed`)
  process.exit(failed === 0 ? 0 : 1)
}

main().catch((e) => {
  console.log(`FAILED  ${e && e.stack ? e.stack : e}`)
  process.exit(1)
})
