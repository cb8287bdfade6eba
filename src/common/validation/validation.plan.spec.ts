import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  getMetadataStorage,
  IsString,
  validate,
  ValidateNested,
  type ValidatorOptions,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { AppModule } from '../../app.module.js';
import { SendMessageInput } from '../../messages/dto/send-message.input.js';
import { createValidationPipe } from './validation.pipe.js';
import { passesRules } from './validation.plan.js';

/** The options Nest's pipe hands class-validator with the app's settings. */
const OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false },
};

const UUID = '5a3c2e0e-1f0b-4a43-9a3e-2b8f3f0f9d11';
/** Values of every kind the rules of the app's inputs tell apart. */
const SAMPLES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'hello',
  'x'.repeat(65),
  'x'.repeat(4001),
  'a\u0000b',
  'tab\tnew\nline',
  'a\u0085',
  'with space',
  UUID,
  'alice@example.com',
  'Password123!',
  '👍',
  0,
  -1,
  1,
  50,
  1.5,
  101,
  true,
  {},
  [],
  [UUID],
  ['a\u0000'],
  [1],
  Array.from({ length: 11 }, () => UUID),
  Array.from({ length: 51 }, () => 'id'),
  new Date(0),
];

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Classes that have class-validator metadata once every module of the app is loaded. */
function validatedClasses(): Function[] {
  void AppModule;
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, unknown> };
  return [...storage.validationMetadatas.keys()].filter(
    (key): key is Function => typeof key === 'function',
  );
}

function propertiesOf(target: Function): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(
    target,
    undefined as unknown as string,
    false,
    false,
  );
  return [...new Set(metadatas.map((m) => m.propertyName))];
}

describe('passesRules', () => {
  it('agrees with class-validator on every input class of the app, for valid and invalid values alike', async () => {
    const classes = validatedClasses();
    expect(classes.length).toBeGreaterThan(15);
    const next = random(19);
    let planned = 0;
    let passed = 0;
    for (const target of classes) {
      const properties = propertiesOf(target);
      for (let round = 0; round < 150; round++) {
        const plain: Record<string, unknown> = {};
        for (const property of properties) {
          // Most properties absent or well-formed-ish, some of any kind.
          if (next() < 0.7) plain[property] = SAMPLES[Math.floor(next() * SAMPLES.length)];
        }
        if (next() < 0.05) plain.unknownField = 'x';
        const object = plainToInstance(target as new () => object, plain) as object;
        const verdict = passesRules(object, OPTIONS);
        const errors = await validate(object, OPTIONS);
        if (verdict !== undefined) planned++;
        if (verdict === true) passed++;
        // A plan may leave the answer to class-validator, never contradict it.
        if (verdict === true)
          expect({ target: target.name, plain, errors }).toMatchObject({ errors: [] });
        if (verdict === false)
          expect(errors.length, `${target.name} ${JSON.stringify(plain)}`).toBeGreaterThan(0);
        // Every class of the app is modelled, so valid inputs take the plan.
        if (errors.length === 0)
          expect(verdict, `${target.name} ${JSON.stringify(plain)}`).toBe(true);
      }
    }
    expect(planned).toBeGreaterThan(0);
    expect(passed).toBeGreaterThan(100);
  });

  it('leaves classes with rules it does not model, and options it does not model, to class-validator', () => {
    class Inner {
      @IsString()
      name: string;
    }
    class Outer {
      @ValidateNested()
      inner: Inner;
    }
    const outer = plainToInstance(Outer, { inner: { name: 'x' } });
    expect(passesRules(outer, OPTIONS)).toBeUndefined();

    const input = plainToInstance(SendMessageInput, { conversationId: UUID, text: 'hi' });
    expect(passesRules(input, OPTIONS)).toBe(true);
    expect(passesRules(input, { ...OPTIONS, groups: ['admin'] })).toBeUndefined();
    expect(passesRules(input, { ...OPTIONS, skipMissingProperties: true })).toBeUndefined();
    expect(passesRules(input, { whitelist: true })).toBeUndefined();
  });

  it('refuses through the pipe with the same error as before: the field, the message, the code', async () => {
    const pipe = createValidationPipe();
    const metadata = { type: 'body' as const, metatype: SendMessageInput, data: 'input' };
    const ok = await pipe.transform({ conversationId: UUID, text: '  hi  ' }, metadata);
    expect(ok).toBeInstanceOf(SendMessageInput);
    expect(ok).toMatchObject({ conversationId: UUID, text: 'hi' });

    const refused = await pipe
      .transform({ conversationId: UUID, text: 'a\u0000', extra: 1 }, metadata)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      message:
        'Invalid input: property extra should not exist; text must not contain NUL or control characters other than tabs and newlines',
      code: 'BAD_USER_INPUT',
      details: {
        fields: [
          { field: 'extra', messages: ['property extra should not exist'] },
          {
            field: 'text',
            messages: [
              'text must not contain NUL or control characters other than tabs and newlines',
            ],
          },
        ],
      },
    });
  });
});
