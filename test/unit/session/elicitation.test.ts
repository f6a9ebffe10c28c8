import * as assert from 'node:assert/strict';
import { featureHandlers, type BackChannelExchange } from '../../../src/core/session/clientFeatures';
import { elicitationSchemaProblems, multiChoices, singleChoices } from '../../../src/core/session/elicitation';

describe('elicitation forms within the spec limits', () => {
  it('accepts every field kind the spec allows (primitives, formats, enums, titled and multi-select)', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 40 },
        email: { type: 'string', format: 'email' },
        born: { type: 'string', format: 'date' },
        site: { type: 'string', format: 'uri' },
        age: { type: 'integer', minimum: 0 },
        score: { type: 'number', maximum: 1 },
        ok: { type: 'boolean', default: true },
        color: { type: 'string', enum: ['red', 'blue'] },
        hero: { type: 'string', oneOf: [{ const: 'h1', title: 'Batman' }] },
        pet: { type: 'string', enum: ['p1', 'p2'], enumNames: ['Cats', 'Dogs'] },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 },
        fish: { type: 'array', items: { anyOf: [{ const: 'f1', title: 'Tuna' }] }, maxItems: 3 },
      },
      required: ['name'],
    };
    assert.deepEqual(elicitationSchemaProblems(schema), []);
    assert.deepEqual(singleChoices(schema.properties.pet), [
      { value: 'p1', label: 'Cats' },
      { value: 'p2', label: 'Dogs' },
    ]);
    assert.deepEqual(singleChoices(schema.properties.hero), [{ value: 'h1', label: 'Batman' }]);
    assert.deepEqual(multiChoices(schema.properties.fish), [{ value: 'f1', label: 'Tuna' }]);
    assert.deepEqual(
      multiChoices(schema.properties.tags)?.map((c) => c.label),
      ['a', 'b'],
    );
    assert.equal(singleChoices(schema.properties.name), undefined);
  });

  it('names what makes a schema something a client cannot render as a form', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'array' }, /type` must be "object"/],
      [{ type: 'object', properties: { address: { type: 'object', properties: {} } } }, /`address` is a nested object/],
      [
        { type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } } } },
        /`ids` is an array of something other than enum strings/,
      ],
      [{ type: 'object', properties: { when: { type: 'string', format: 'time' } } }, /`when` has format "time"/],
      [{ type: 'object', properties: { x: { type: ['string', 'null'] } } }, /`x` has type \["string","null"\]/],
      [{ type: 'object', properties: { x: {} } }, /`x` has no `type`/],
      [{ type: 'object', properties: { a: { type: 'string' } }, required: ['b'] }, /`required` names "b"/],
    ];
    for (const [schema, problem] of cases) {
      const found = elicitationSchemaProblems(schema);
      assert.ok(
        found.some((p) => problem.test(p)),
        `${JSON.stringify(schema)} → ${JSON.stringify(found)}`,
      );
    }
  });

  it('answers a form outside the limits with -32602 and the reason, without asking the user', async () => {
    let asked = 0;
    const seen: BackChannelExchange[] = [];
    const handlers = featureHandlers(
      { elicit: async () => (asked++, { action: 'accept', content: {} }) },
      (signal) => ({ serverName: 's', tool: 't', signal }),
      (e) => seen.push(e),
    );
    const nested = { type: 'object', properties: { address: { type: 'object' } } };
    const err = await handlers['elicitation/create']!(
      { message: 'Where?', requestedSchema: nested },
      new AbortController().signal,
    ).catch((e: unknown) => e as { code?: number; message?: string });
    assert.equal(err.code, -32602);
    assert.match(String(err.message), /not a form the spec allows: `address` is a nested object/);
    assert.equal(asked, 0);
    assert.equal(seen[0]?.ok, false);
    const noUrl = await handlers['elicitation/create']!(
      { mode: 'url', message: 'Go' },
      new AbortController().signal,
    ).catch((e: unknown) => e as { code?: number });
    assert.equal(noUrl.code, -32602);
  });
});
