/**
 * graphql-js words a bad variable as `Variable "$input" got invalid value <the whole value> at
 * "input.password"; String cannot represent a non string value: <the value>`, echoing what was
 * sent (a password, say) back to the client, into its logs and every proxy's. This keeps the
 * variable, the path and the rule, and drops the values.
 */
import type { GraphQLError } from 'graphql';

const PREFIX = /^Variable "(\$[^"]+)" got invalid value /;
const AT_PATH = / at "([^"]+)"$/;

/** Rules whose wording names no submitted value (field and type names are the schema's). */
const VALUE_FREE = [
  /^Expected type "[^"]+" to be an object\.$/,
  /^Field "[^"]+" of required type "[^"]+" was not provided\.$/,
  /^Field "[^"]+" is not defined by type "[^"]+"\.( Did you mean .*\?)?$/,
];

function ruleWithoutValue(rule: string): string {
  if (VALUE_FREE.some((pattern) => pattern.test(rule))) return rule;
  // "Int cannot represent non-integer value: 4.5", "ID cannot represent value: {…}"
  const represent = /^(\w+ cannot represent [^:]*?)(?: value)?:/.exec(rule);
  if (represent) return `${represent[1]} value.`;
  const enumValue = /^Value .* does not exist in ("[^"]+" enum)\./.exec(rule);
  if (enumValue) return `Value does not exist in ${enumValue[1]}.`;
  return 'Invalid value.';
}

/** The message of a variable-coercion error without the submitted values; others unchanged. */
export function coercionMessage(error: GraphQLError): string {
  const variable = PREFIX.exec(error.message);
  const rule = error.originalError?.message;
  if (!variable || rule === undefined || !error.message.endsWith(`; ${rule}`)) {
    return error.message;
  }
  const prefix = error.message.slice(0, error.message.length - rule.length - 2);
  const path = AT_PATH.exec(prefix);
  const where = path ? ` at "${path[1]}"` : '';
  return `Variable "${variable[1]}" got an invalid value${where}; ${ruleWithoutValue(rule)}`;
}
