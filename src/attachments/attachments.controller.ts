/**
 * REST for attachments: upload into a conversation (multipart, field `file`) and download by id.
 * Both are participants-only; everyone else gets 404, as for an unknown id.
 */
import { Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi.js';
import { AttachmentView, toAttachmentView } from './attachment.view.js';
import { AttachmentDownloadService, type FileDownload } from './attachment-download.service.js';
import { AttachmentIntakeService, FILE_FIELD } from './attachment-intake.service.js';

@ApiTags('attachments')
@ApiBearerAuth()
@Controller()
export class AttachmentsController {
  constructor(
    private readonly intake: AttachmentIntakeService,
    private readonly downloads: AttachmentDownloadService,
  ) {}

  /** The raw request is handed on: the body is streamed, never parsed or buffered here. */
  @Post('conversations/:id/file')
  @HttpCode(201)
  @ApiOperation({ summary: 'Upload a file into a conversation, to attach to a message after' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [FILE_FIELD],
      properties: { [FILE_FIELD]: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: AttachmentView })
  @ApiErrors(400, 404, 413, 429)
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('id') conversationId: string,
    @Req() req: Request,
  ): Promise<AttachmentView> {
    return toAttachmentView(await this.intake.upload(user.id, conversationId, req));
  }

  @Get('files/:id')
  @ApiOperation({ summary: "An attachment's bytes (participants only); supports Range" })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The whole file' })
  @ApiResponse({ status: 206, description: 'The requested byte range' })
  @ApiErrors(404)
  async download(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Headers('range') range: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.downloads.download(user.id, id, { range, ifRange }));
  }
}

/** Headers exactly as given (Express's res.set would rewrite Content-Type), then the bytes. */
function send(res: Response, file: FileDownload): void {
  res.status(file.status);
  for (const [name, value] of Object.entries(file.headers)) res.setHeader(name, value);
  if (!file.body) {
    res.end();
    return;
  }
  // A client that goes away mid-download is no error; pipeline closes the stored stream.
  pipeline(file.body, res).catch(() => undefined);
}
