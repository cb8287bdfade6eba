/**
 * Parsed and validated GraphQL documents, kept by query text for the WebSocket server. graphql-ws
 * parses and validates every operation a client sends — each sendMessage sent over a socket, each
 * resumed subscription — although clients send the same few texts over and over, and validation
 * with the document-limit rules was the largest single cost of a send over a socket (figures:
 * bench/README.md, "Profiling notes behind the code").
 * Apollo keeps such a cache for HTTP. Only documents that validated cleanly and are short are
 * kept, so hostile or one-off texts neither fill the cache nor skip a check.
 */
import type { DocumentNode, GraphQLError, GraphQLSchema, Source } from 'graphql';

type Parse = (source: string | Source) => DocumentNode;
type Validate = (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];

const NO_ERRORS: readonly GraphQLError[] = Object.freeze([]);

export class DocumentCache {
  /** Query text → its valid document; oldest first out (a Map keeps insertion order). */
  private readonly documents = new Map<string, DocumentNode>();
  /** Documents parsed but not yet validated, with their text. */
  private readonly texts = new WeakMap<DocumentNode, string>();
  /** Documents known valid, per schema. */
  private readonly valid = new WeakMap<GraphQLSchema, WeakSet<DocumentNode>>();

  constructor(
    private readonly parseDocument: Parse,
    private readonly validateDocument: Validate,
    private readonly maxEntries = 256,
    private readonly maxQueryLength = 4096,
  ) {}

  /** Same contract as graphql's parse (a syntax error throws); a known text is not parsed again. */
  readonly parse: Parse = (source) => {
    const text = typeof source === 'string' ? source : source.body;
    const cached = this.documents.get(text);
    if (cached) return cached;
    const document = this.parseDocument(source);
    if (text.length <= this.maxQueryLength) this.texts.set(document, text);
    return document;
  };

  /** Same contract as graphql's validate; a document already found valid is not checked again. */
  readonly validate: Validate = (schema, document) => {
    if (this.valid.get(schema)?.has(document)) return NO_ERRORS;
    const errors = this.validateDocument(schema, document);
    const text = this.texts.get(document);
    if (errors.length === 0 && text !== undefined) {
      let valid = this.valid.get(schema);
      if (!valid) this.valid.set(schema, (valid = new WeakSet()));
      valid.add(document);
      if (this.documents.size >= this.maxEntries)
        this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(text, document);
    }
    return errors;
  };

  get size(): number {
    return this.documents.size;
  }
}
