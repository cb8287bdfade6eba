/**
 * class-validator's rules of one input class, gathered once and checked without its executor.
 * The decorators stay the only definition of every rule: a plan holds class-validator's own
 * metadata and constraint objects and calls their own `validate`. What it saves is the executor's
 * per-call work: the metadata search over every registered class (an `instanceof` per class), the
 * grouping and filtering, an error object per property and a container lookup per constraint
 * (~65% of a send's validation; bench/README.md, "Round three: the send path's CPU").
 *
 * A plan answers only "no rule fails". It says `true` only where class-validator would report no
 * error; on a failure, or on anything it does not model (nested or promise validation, groups,
 * `validateIf`, async or promised results, skip options), it says `false` or `undefined`, and
 * class-validator itself runs, so every error is still class-validator's own.
 */
import {
  getMetadataStorage,
  ValidationTypes,
  type MetadataStorage,
  type ValidationArguments,
  type ValidatorConstraintInterface,
  type ValidatorOptions,
} from 'class-validator';

type Metadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

interface Check {
  metadata: Metadata;
  /** The constraint objects, resolved once: the app sets no class-validator container. */
  validators: ValidatorConstraintInterface[];
}

interface PropertyPlan {
  name: string;
  /** `@IsOptional` and the like: when one says no, the property is not validated. */
  conditions: Metadata[];
  /** IS_DEFINED checks first, then the others, as class-validator orders them. */
  checks: Check[];
}

interface Plan {
  properties: PropertyPlan[];
  /** Every property that has metadata of any kind (what `whitelist` allows). */
  known: Set<string>;
}

/** The rule kinds a plan checks as class-validator does; any other kind means no plan. */
const MODELLED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

/** Plans by class; `null`: the class has rules a plan does not model. */
const plans = new Map<Function, Plan | null>();

function compile(target: Function): Plan | null {
  const storage = getMetadataStorage();
  // The same call, with the same arguments, that class-validator's executor makes for an object
  // (no schema name) validated without groups or `always`.
  const noSchema = undefined as unknown as string;
  const metadatas = storage.getTargetValidationMetadatas(target, noSchema, false, false, undefined);
  if (metadatas.length === 0) return null;
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyPlan[] = [];
  for (const [name, group] of Object.entries(grouped)) {
    const conditions: Metadata[] = [];
    const defined: Check[] = [];
    const others: Check[] = [];
    for (const metadata of group) {
      if (!MODELLED.has(metadata.type) || metadata.validateIf) return null;
      if (metadata.type === ValidationTypes.WHITELIST) continue;
      if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        conditions.push(metadata);
        continue;
      }
      const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
      if (constraints.some((c) => c.async)) return null;
      const check = { metadata, validators: constraints.map((c) => c.instance) };
      (metadata.type === ValidationTypes.IS_DEFINED ? defined : others).push(check);
    }
    properties.push({ name, conditions, checks: [...defined, ...others] });
  }
  return { properties, known: new Set(Object.keys(grouped)) };
}

function planOf(target: Function): Plan | null {
  let plan = plans.get(target);
  if (plan === undefined) {
    plan = compile(target);
    plans.set(target, plan);
  }
  return plan;
}

/** Options under which class-validator's verdict is the plan's (the app's pipe uses these). */
function modelled(options: ValidatorOptions | undefined): boolean {
  if (!options) return true;
  if (options.groups?.length || options.always || options.strictGroups) return false;
  if (options.skipMissingProperties || options.skipNullProperties) return false;
  if (options.skipUndefinedProperties) return false;
  // Without forbidNonWhitelisted, whitelist deletes unknown properties: that is the executor's.
  return !options.whitelist || options.forbidNonWhitelisted === true;
}

/**
 * True when class-validator would find no error in `object` (an instance of its input class);
 * false or undefined when it may: then class-validator must run.
 */
export function passesRules(object: object, options?: ValidatorOptions): boolean | undefined {
  if (!modelled(options)) return undefined;
  const target = object.constructor;
  if (typeof target !== 'function') return undefined;
  const plan = planOf(target);
  if (!plan) return undefined;
  const values = object as Record<string, unknown>;
  if (options?.whitelist) {
    for (const key of Object.keys(object)) if (!plan.known.has(key)) return false;
  }
  try {
    for (const property of plan.properties) {
      const value = values[property.name];
      if (isThenable(value)) return undefined;
      // class-validator calls every condition; the property is checked only if all say yes.
      let validated = true;
      for (const c of property.conditions) {
        if (!(c.constraints[0] as (o: object, v: unknown) => boolean)(object, value)) {
          validated = false;
        }
      }
      if (!validated) continue;
      for (const { metadata, validators } of property.checks) {
        const args: ValidationArguments = {
          targetName: target.name,
          property: metadata.propertyName,
          object,
          value,
          constraints: metadata.constraints,
        };
        for (const validator of validators) {
          const verdict = checkValue(validator, metadata.each, value, args);
          if (verdict !== true) return verdict;
        }
      }
    }
  } catch {
    // A validator that throws: class-validator's run decides what happens.
    return undefined;
  }
  return true;
}

/** One constraint on a value, or on each item of an array, Set or Map with `each`. */
function checkValue(
  validator: ValidatorConstraintInterface,
  each: boolean,
  value: unknown,
  args: ValidationArguments,
): boolean | undefined {
  if (!each || !(Array.isArray(value) || value instanceof Set || value instanceof Map)) {
    return verdictOf(validator.validate(value, args));
  }
  const items: unknown[] =
    value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : [...value];
  let passed = true;
  for (const item of items) {
    const verdict = verdictOf(validator.validate(item, args));
    if (verdict === undefined) return undefined;
    if (!verdict) passed = false;
  }
  return passed;
}

/** A promised result (a thenable, as class-validator tells them) is class-validator's to await. */
function verdictOf(result: boolean | Promise<boolean>): boolean | undefined {
  if (isThenable(result)) {
    // Nobody waits for it here: its rejection must not become an unhandled one.
    Promise.resolve(result).catch(() => undefined);
    return undefined;
  }
  return Boolean(result);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
