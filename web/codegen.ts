/**
 * GraphQL Code Generator: types and typed documents for src/graphql/*.graphql, checked against
 * the server's committed schema. It runs before every build and typecheck, so a schema change
 * that breaks one of the app's operations breaks the build.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.gql',
  documents: ['src/graphql/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      // The data layer merges messages from pages, live events and sends: plain types, no masks.
      presetConfig: { fragmentMasking: false },
      config: {
        // A new scalar in the schema must be mapped here, not silently typed `any`.
        strictScalars: true,
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
      },
    },
  },
};

export default config;
