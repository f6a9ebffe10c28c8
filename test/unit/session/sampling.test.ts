import * as assert from 'node:assert/strict';
import {
  modelTurns,
  pickModel,
  readSamplingRequest,
  replyDocument,
  replyFromDocument,
} from '../../../src/core/session/sampling';

/** What FastMCP 4's `sample_guard` sends (see test/fixtures/servers/py/features.py). */
const FASTMCP_REQUEST = {
  messages: [{ role: 'user', content: { type: 'text', text: 'One sentence about owls.' } }],
  modelPreferences: { hints: [{ name: 'small' }], speedPriority: 0.8 },
  systemPrompt: 'Answer in one sentence.',
  maxTokens: 50,
};

describe('sampling requests as people and models read them', () => {
  it('reads messages, system prompt, limits and preferences', () => {
    const ask = readSamplingRequest(FASTMCP_REQUEST);
    assert.deepEqual(ask.messages, [{ role: 'user', text: 'One sentence about owls.' }]);
    assert.equal(ask.systemPrompt, 'Answer in one sentence.');
    assert.equal(ask.maxTokens, 50);
    assert.deepEqual(ask.hints, ['small']);
    assert.deepEqual(ask.priorities, { cost: undefined, speed: 0.8, intelligence: undefined });
    const doc = replyDocument(ask, { server: 'features' }, 'Echo Small (test)');
    assert.match(doc, /^- Limits: max tokens 50$/m);
    assert.match(doc, /^- Model preferences: models like small, speed 0\.8$/m);
    assert.match(doc, /^- A chat model can answer: Echo Small \(test\)\. In the title bar: Send to Chat Model/m);
    assert.match(replyDocument(ask, { server: 'features' }), /^- No chat model is available in VS Code/m);
  });

  it('names media and tool blocks (2025-11-25 content lists) instead of inlining them', () => {
    const ask = readSamplingRequest({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', mimeType: 'image/png', data: 'A'.repeat(4096) },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', name: 'lookup', input: { q: 'x' }, id: '1' }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', toolUseId: '1', content: [{ type: 'text', text: 'found' }] }],
        },
      ],
      includeContext: 'thisServer',
      tools: [{ name: 'lookup', inputSchema: { type: 'object' } }],
      temperature: 0.2,
      stopSequences: ['END'],
    });
    assert.deepEqual(
      ask.messages.map((m) => m.text),
      ['What is this?\n[image image/png, 3 KB]', '[tool call lookup({"q":"x"})]', '[tool result: found]'],
    );
    const doc = replyDocument(ask, { server: 's' });
    assert.match(doc, /Limits: temperature 0.2, stop at "END"/);
    assert.match(doc, /Asks to include context "thisServer" \(not included\)/);
    assert.match(doc, /Offers tools lookup \(not run\)/);
  });

  it('round-trips the response editor: the request quoted, the reply below the marker', () => {
    const ask = readSamplingRequest(FASTMCP_REQUEST);
    const doc = replyDocument(ask, { server: 'features', tool: 'sample_guard' }, undefined, 'draft');
    assert.match(doc, /^# Sampling request from "features" \(tool `sample_guard`\)/);
    assert.match(doc, /\*\*System prompt\*\*\n\n> Answer in one sentence\./);
    assert.match(doc, /\*\*User\*\*\n\n> One sentence about owls\./);
    assert.equal(replyFromDocument(doc), 'draft');
    assert.equal(replyFromDocument(`${doc}\n\nOwls fly silently at night.\n`), 'draft\n\nOwls fly silently at night.');
    assert.equal(replyFromDocument('the marker was deleted'), undefined);
  });

  it('picks the model the first matching hint names, else the first model', () => {
    const models = [
      { id: 'gpt-4o', name: 'GPT-4o', family: 'gpt-4o', vendor: 'copilot' },
      { id: 'claude-sonnet-4', name: 'Claude Sonnet 4', family: 'claude-sonnet-4', vendor: 'copilot' },
      { id: 'echo-small', name: 'Echo (small)', family: 'echo', vendor: 'test' },
    ];
    assert.equal(pickModel(models, ['claude-3-sonnet', 'sonnet']), 1);
    assert.equal(pickModel(models, ['SMALL']), 2);
    assert.equal(pickModel(models, ['unknown']), 0);
    assert.equal(pickModel([], ['x']), -1);
  });

  it('sends the system prompt as a first user turn (no system role for extensions)', () => {
    assert.deepEqual(modelTurns(readSamplingRequest(FASTMCP_REQUEST)), [
      { role: 'user', text: 'Instructions: Answer in one sentence.' },
      { role: 'user', text: 'One sentence about owls.' },
    ]);
  });
});
