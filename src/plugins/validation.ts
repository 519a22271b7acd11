/**
 * Two Ajv instances: bodies are validated strictly (no type coercion: "40.7" is not a latitude),
 * while query strings and path params arrive as text and are coerced to the declared types.
 * Every error is reported (allErrors) so a client can fix all fields in one round trip.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { passwordProblems } from '../lib/passwords.js';
import { addPasswordPolicy, addTextFormats } from '../lib/strings.js';
import { addSeriesScheduleKeyword } from '../modules/series/series.rules.js';
import { addSessionRulesKeyword } from '../modules/sessions/session-rules.js';

// ajv-formats ships CommonJS with a default export object.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

const base: Options = {
  allErrors: true,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
  strictNumbers: true, // NaN and ±Infinity (JSON's 1e999) are not numbers here
  messages: true,
};

function makeAjv(opts: Options): Ajv {
  const ajv = new Ajv({ ...base, ...opts });
  addFormats(ajv);
  return addTextFormats(ajv);
}

/**
 * Coercion turns "1e999" into Infinity, which Ajv's integer and number checks then accept.
 * Query strings and params are flat objects: after coercion, any non-finite number is refused.
 */
function finiteAfterCoercion(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown) => {
    const ok = validate(data);
    wrapped.errors = validate.errors;
    if (!ok || !data || typeof data !== 'object') return ok;
    const errors = Object.entries(data)
      .filter(([, value]) => typeof value === 'number' && !Number.isFinite(value))
      .map(([key]) => ({
        instancePath: `/${key}`,
        schemaPath: '#',
        keyword: 'finite',
        params: {},
        message: 'must be a finite number',
      }));
    if (errors.length === 0) return true;
    wrapped.errors = errors;
    return false;
  }) as ValidateFunction;
  return wrapped;
}

export function installValidators(app: FastifyInstance, opts: { passwordMinLength: number }): void {
  const policy = (p: string) => passwordProblems(p, opts.passwordMinLength);
  const bodyAjv = addSessionRulesKeyword(
    addSeriesScheduleKeyword(addPasswordPolicy(makeAjv({ coerceTypes: false }), policy)),
  );
  // Unknown query parameters are dropped, not refused (a browser's `?_=1700000000` cache-buster must not
  // fail: API.md "Clients written for the original"); bodies stay strict (bodyAjv keeps them as errors).
  const textAjv = makeAjv({ coerceTypes: 'array', removeAdditional: true });
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    httpPart === 'body'
      ? bodyAjv.compile(schema as object)
      : finiteAfterCoercion(textAjv.compile(schema as object)),
  );
}
