/** A user account; doubles as the GraphQL `User` type. The password hash is never a field. */
import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity({ name: 'users' })
@Check('users_username_lowercase', 'username = lower(username)')
// Prefix search (users(search:)) on username and display name; written by hand in the migration.
@Index('users_username_prefix', { synchronize: false })
@Index('users_display_name_prefix', { synchronize: false })
// An external identity provider's user, found again by (iss, sub) on each of its tokens.
@Index('users_external_identity', ['externalIssuer', 'externalSubject'], {
  unique: true,
  where: '"external_issuer" IS NOT NULL',
})
export class User {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased (a CHECK enforces it), so the unique index ignores case. */
  @Field()
  @Index('users_username_key', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  username: string;

  @Field()
  @Column({ name: 'display_name', type: 'varchar', length: 64 })
  displayName: string;

  @Field(() => String, { nullable: true })
  @Column({ name: 'avatar_url', type: 'varchar', length: 2048, nullable: true })
  avatarUrl: string | null;

  /**
   * argon2id hash; `select: false` so no query returns it unless asked by name. Null for a user
   * of an external identity provider, who has no password here.
   */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true, select: false })
  passwordHash?: string | null;

  /** The external identity provider's `iss` and `sub` for its users; null for local accounts. */
  @Column({ name: 'external_issuer', type: 'varchar', length: 255, nullable: true, select: false })
  externalIssuer?: string | null;

  @Column({ name: 'external_subject', type: 'varchar', length: 255, nullable: true, select: false })
  externalSubject?: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** When the user's last connection closed; the presence module keeps it. */
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;
}
