// Drives a running Deliberate service with the official OpenAI Node SDK and prints what the SDK made of each reply
// as one JSON object on stdout. OpenAiSdkCompatibilityTests runs it and asserts the values; it also works by hand:
//
//   npm install --prefix src/test/node
//   node src/test/node/openai-sdk-check.mjs http://127.0.0.1:8080/v1 sk-anything [check...]
//
// Arguments (or environment): base URL (DELIBERATE_BASE_URL), API key (DELIBERATE_API_KEY, default "sk-sdk-check"),
// then the checks to run (default: all). Exit status 0 when every check behaved as a client expects (replies parsed,
// errors thrown where they must be), 1 otherwise, 2 on bad arguments.
//
// The "mid-stream-error" check sends FAIL_PROMPT; the caller arranges the backend to fail for that message, so that
// the service answers 200, starts the stream, and then ends it with a final error event.
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

export const PROMPT = 'Capital of France?';
export const FAIL_PROMPT = 'sdk-check: make the backend fail mid-stream';

const CHECKS = {
  'completion': completion,
  'stream': stream,
  'stream-helper': streamHelper,
  'not-found-error': notFoundError,
  'bad-request-error': badRequestError,
  'rate-limit-error': rateLimitError,
  'mid-stream-error': midStreamError,
  'models': models,
};

const args = process.argv.slice(2);
const baseURL = args[0] ?? process.env.DELIBERATE_BASE_URL;
const apiKey = args[1] ?? process.env.DELIBERATE_API_KEY ?? 'sk-sdk-check';
const selected = args.length > 2 ? args.slice(2) : Object.keys(CHECKS);
const unknown = selected.filter((name) => !(name in CHECKS));
if (!baseURL || unknown.length > 0) {
  console.error(`usage: node openai-sdk-check.mjs <base-url> [api-key] [${Object.keys(CHECKS).join('|')} ...]`);
  if (unknown.length > 0) console.error(`unknown checks: ${unknown.join(', ')}`);
  process.exit(2);
}

// No SDK retries: the test counts backend calls, and a retried 5xx would hide how the first answer looked.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 20_000 });

const user = (content) => [{ role: 'user', content }];

/** What a caller can read from any error the SDK throws. */
function describeError(error) {
  return {
    class: error?.constructor?.name ?? typeof error,
    api_error: error instanceof OpenAI.APIError,
    status: error?.status ?? null,
    type: error?.type ?? null,
    code: error?.code ?? null,
    param: error?.param ?? null,
    message: error?.message ?? String(error),
    retry_after: error?.headers?.get?.('retry-after') ?? null,
    error: error?.error ?? null,
  };
}

/** A reply the SDK should have parsed; rejected when it threw instead. */
async function completion() {
  const reply = await client.chat.completions.create({
    model: 'direct',
    messages: [{ role: 'system', content: 'Answer briefly.' }, ...user(PROMPT)],
    // Sampling fields SDK users commonly set; the service must accept them.
    temperature: 0.2,
    max_completion_tokens: 40,
    seed: 7,
    stop: ['\n\n'],
    user: 'sdk-check',
  });
  const choice = reply.choices[0];
  return {
    ok: true,
    id: reply.id,
    object: reply.object,
    model: reply.model,
    created: reply.created,
    choices: reply.choices.length,
    role: choice.message.role,
    content: choice.message.content,
    finish_reason: choice.finish_reason,
    usage: reply.usage,
    // Not in the SDK's types; the SDK passes unknown fields through untouched.
    deliberate: reply.deliberate ?? null,
  };
}

async function stream() {
  const chunks = await client.chat.completions.create({
    model: 'direct',
    messages: user(PROMPT),
    stream: true,
    stream_options: { include_usage: true },
  });
  const result = {
    ok: true,
    chunks: 0,
    ids: [],
    objects: [],
    role: null,
    content: '',
    reasoning_content: '',
    finish_reasons: [],
    usage: null,
    usage_chunk_choices: null,
    deliberate: null,
  };
  for await (const chunk of chunks) {
    result.chunks++;
    if (!result.ids.includes(chunk.id)) result.ids.push(chunk.id);
    if (!result.objects.includes(chunk.object)) result.objects.push(chunk.object);
    for (const choice of chunk.choices) {
      const delta = choice.delta ?? {};
      if (delta.role) result.role = delta.role;
      if (delta.content) result.content += delta.content;
      // reasoning_content is a vLLM/DeepSeek extension; the SDK passes it through untouched.
      if (delta.reasoning_content) result.reasoning_content += delta.reasoning_content;
      if (choice.finish_reason) result.finish_reasons.push(choice.finish_reason);
    }
    if (chunk.usage) {
      result.usage = chunk.usage;
      result.usage_chunk_choices = chunk.choices.length;
    }
    if (chunk.deliberate) result.deliberate = chunk.deliberate;
  }
  return result;
}

/** The SDK's accumulating helper is stricter than plain iteration: it needs a role and a finish_reason per choice. */
async function streamHelper() {
  const runner = client.chat.completions.stream({
    model: 'direct',
    messages: user(PROMPT),
    stream_options: { include_usage: true },
  });
  const final = await runner.finalChatCompletion();
  return {
    ok: true,
    content: final.choices[0].message.content,
    role: final.choices[0].message.role,
    finish_reason: final.choices[0].finish_reason,
    usage: final.usage ?? null,
  };
}

async function notFoundError() {
  try {
    const reply = await client.chat.completions.create({ model: 'no-such-profile', messages: user(PROMPT) });
    return { ok: false, thrown: false, reply };
  } catch (error) {
    return { ok: error instanceof OpenAI.NotFoundError, thrown: true, ...describeError(error) };
  }
}

async function badRequestError() {
  try {
    const reply = await client.chat.completions.create({ model: 'direct', messages: user(PROMPT), n: 3 });
    return { ok: false, thrown: false, reply };
  } catch (error) {
    return { ok: error instanceof OpenAI.BadRequestError, thrown: true, ...describeError(error) };
  }
}

/** The caller arranges the backend to answer 429 with a Retry-After the service passes on. */
async function rateLimitError() {
  try {
    const reply = await client.chat.completions.create({ model: 'direct', messages: user(PROMPT) });
    return { ok: false, thrown: false, reply };
  } catch (error) {
    return { ok: error instanceof OpenAI.RateLimitError, thrown: true, ...describeError(error) };
  }
}

async function midStreamError() {
  const result = { ok: false, opened: false, thrown: false, chunks_before_error: 0, content_before_error: '' };
  let chunks;
  try {
    chunks = await client.chat.completions.create({ model: 'direct', messages: user(FAIL_PROMPT), stream: true });
    result.opened = true;
  } catch (error) {
    // The service must commit the stream first; an error here means it answered with a status instead.
    return { ...result, thrown: true, thrown_before_stream: true, ...describeError(error) };
  }
  try {
    for await (const chunk of chunks) {
      result.chunks_before_error++;
      result.content_before_error += chunk.choices[0]?.delta?.content ?? '';
    }
  } catch (error) {
    return { ...result, ok: error instanceof OpenAI.APIError, thrown: true, ...describeError(error) };
  }
  return result;
}

async function models() {
  const ids = [];
  for await (const model of client.models.list()) {
    ids.push(model.id);
  }
  const direct = await client.models.retrieve('direct');
  return { ok: ids.length > 0, ids, retrieved: { id: direct.id, object: direct.object, owned_by: direct.owned_by } };
}

const output = { sdk: 'openai', sdk_version: VERSION, node: process.version, base_url: baseURL, checks: {} };
let failed = false;
for (const name of selected) {
  try {
    output.checks[name] = await CHECKS[name]();
  } catch (error) {
    output.checks[name] = { ok: false, unexpected: true, ...describeError(error) };
    console.error(`${name}:`, error);
  }
  failed ||= !output.checks[name].ok;
}
process.stdout.write(JSON.stringify(output, null, 2) + '\n');
process.exitCode = failed ? 1 : 0;
