/** Message search (issue 15): reads the messages table through its own named query. */
import { Module } from '@nestjs/common';
import { SearchRepository } from './search.repository.js';
import { SearchResolver } from './search.resolver.js';
import { SearchService } from './search.service.js';

@Module({ providers: [SearchRepository, SearchService, SearchResolver] })
export class SearchModule {}
