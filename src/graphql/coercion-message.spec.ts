import { buildSchema, parse, GraphQLError } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { describe, expect, it } from 'vitest';
import { coercionMessage } from './coercion-message.js';

const schema = buildSchema(`
  enum Kind { A B }
  input Login { username: String! password: String! count: Int kind: Kind }
  type Query { x(i: Login): Int }
`);
const operation = parse('query($i: Login) { x(i: $i) }').definitions[0];

function messageFor(value: unknown): string {
  const result = getVariableValues(schema, (operation as any).variableDefinitions, { i: value });
  const error = (result as { errors: GraphQLError[] }).errors[0];
  return coercionMessage(error);
}

describe('coercionMessage', () => {
  it('names the path and the rule, never the submitted value', () => {
    const message = messageFor({ username: 'u', password: { secret: 'hunter2' } });
    expect(message).toBe(
      'Variable "$i" got an invalid value at "i.password"; String cannot represent a non string value.',
    );
  });

  it.each([
    [{ username: 'u', password: 'hunter2', count: 4.5 }, 'Int cannot represent non-integer value.'],
    [
      { username: 'u', password: 'hunter2', count: 2 ** 40 },
      'Int cannot represent non 32-bit signed integer value.',
    ],
    [
      { username: 'u', password: 'hunter2', kind: 'hunter2' },
      'Value does not exist in "Kind" enum.',
    ],
    [{ password: 'hunter2' }, 'Field "username" of required type "String!" was not provided.'],
    ['hunter2', 'Expected type "Login" to be an object.'],
  ])('keeps the rule for %j', (value, rule) => {
    const message = messageFor(value);
    expect(message.endsWith(rule)).toBe(true);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('4.5');
  });

  it('leaves other errors as they are', () => {
    const error = new GraphQLError('Variable "$id" of required type "ID!" was not provided.');
    expect(coercionMessage(error)).toBe(error.message);
  });
});
