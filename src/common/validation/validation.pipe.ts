/**
 * The global validation pipe: every input class is checked with class-validator, unknown fields
 * are refused, and failures become one BAD_USER_INPUT error that names each bad field.
 */
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { BadUserInputError } from '../errors/domain-error.js';

function flatten(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const summary = fields.map((f) => f.messages.join(', ')).join('; ');
      return new BadUserInputError(`Invalid input: ${summary}`, { fields });
    },
  });
}
