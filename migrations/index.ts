/**
 * Every migration, in order. Listed explicitly (not globbed) so the app, the CLI and the test
 * runner load the same classes whether they run TypeScript or compiled JavaScript.
 * `npm run migration:generate -- migrations/<Name>` writes a new file: read it, then add it here.
 */
import { CreateUsers1795654182619 } from './1795654182619-CreateUsers.js';
import { ConversationsAndMessages1795654662023 } from './1795654662023-ConversationsAndMessages.js';
import { Attachments1795655642558 } from './1795655642558-Attachments.js';
import { ChangeStream1795700000000 } from './1795700000000-ChangeStream.js';
import { ConversationAvatars1795700100000 } from './1795700100000-ConversationAvatars.js';
import { Sessions1796179670850 } from './1796179670850-Sessions.js';
import { ExternalIdentities1796180330231 } from './1796180330231-ExternalIdentities.js';
import { Avatars1796180745258 } from './1796180745258-Avatars.js';
import { UserBlocks1796181209232 } from './1796181209232-UserBlocks.js';
import { UnattachedQuotaIndex1796200000000 } from './1796200000000-UnattachedQuotaIndex.js';
import { MessageSearch1796200000001 } from './1796200000001-MessageSearch.js';
import { ReadState1796200000002 } from './1796200000002-ReadState.js';
import { SearchNewestIndex1796200000015 } from './1796200000015-SearchNewestIndex.js';
import { PushNotifications1796200017000 } from './1796200017000-PushNotifications.js';
import { UnreadCountIndexes1796300000019 } from './1796300000019-UnreadCountIndexes.js';

export const migrations = [
  CreateUsers1795654182619,
  ConversationsAndMessages1795654662023,
  Attachments1795655642558,
  ChangeStream1795700000000,
  ConversationAvatars1795700100000,
  Sessions1796179670850,
  ExternalIdentities1796180330231,
  Avatars1796180745258,
  UserBlocks1796181209232,
  UnattachedQuotaIndex1796200000000,
  MessageSearch1796200000001,
  ReadState1796200000002,
  SearchNewestIndex1796200000015,
  PushNotifications1796200017000,
  UnreadCountIndexes1796300000019,
];
