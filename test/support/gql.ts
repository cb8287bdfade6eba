/** A GraphQL-over-HTTP client as a client team would write one, plus account helpers. */
import { randomBytes } from 'node:crypto';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: GqlError[];
}

export async function gql<T = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GqlError[] };
  return { status: res.status, data: body.data ?? undefined, errors: body.errors };
}

/** The data of a response that must have succeeded; fails loudly with the errors otherwise. */
export async function gqlOk<T = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await gql<T>(baseUrl, query, variables, token);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

/** The code of the first error, for tests that expect a refusal. */
export function errorCode(res: GqlResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      user {
        id
        username
      }
    }
  }
`;

export function uniqueUsername(base = 'user'): string {
  return `${base}_${randomBytes(4).toString('hex')}`.slice(0, 32);
}

export async function registerUser(baseUrl: string, base = 'user'): Promise<TestUser> {
  const username = uniqueUsername(base);
  const data = await gqlOk(baseUrl, REGISTER, {
    input: { username, password: 'correct horse battery', displayName: base },
  });
  return { id: data.register.user.id, username, token: data.register.accessToken };
}

/** Registers one user per name, at once. */
export function registerUsers(baseUrl: string, names: string[]): Promise<TestUser[]> {
  return Promise.all(names.map((name) => registerUser(baseUrl, name)));
}
