/** Marks a resolver or route as reachable without a token; everything else requires one. */
import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';
export const Public = () => SetMetadata(IS_PUBLIC, true);
