/** REST for avatars: upload one's own (multipart, field `file`), and read anyone's. */
import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors } from '../common/openapi.js';
import { AvatarsService } from './avatars.service.js';
import { ProfilesService } from './profiles.service.js';

class AvatarView {
  @ApiProperty({ format: 'uuid', description: 'For updateProfile(avatarUploadId)' })
  id: string;

  @ApiProperty({ description: 'Where the image is read (GET, with the bearer token)' })
  avatarUrl: string;
}

@ApiTags('profiles')
@ApiBearerAuth()
@Controller()
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly avatars: AvatarsService,
  ) {}

  @Post('me/avatar')
  @HttpCode(201)
  @ApiOperation({ summary: "Upload an image and make it the caller's avatar" })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: AvatarView })
  @ApiErrors(400, 413, 429)
  upload(@CurrentUser() user: AuthUser, @Req() req: Request): Promise<AvatarView> {
    return this.profiles.uploadAvatar(user.id, req);
  }

  @Get('avatars/:id')
  @ApiOperation({ summary: "A user's avatar image (any signed-in user)" })
  @ApiOkResponse({ description: 'The image' })
  @ApiErrors(404)
  async read(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const { avatar, body } = await this.avatars.open(id);
    res.status(200);
    res.setHeader('Content-Type', avatar.contentType);
    res.setHeader('Content-Length', String(avatar.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    // An avatar id never changes its bytes (a new image is a new id).
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    res.setHeader('ETag', `"${avatar.sha256}"`);
    await pipeline(body, res);
  }
}
