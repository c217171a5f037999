// Writes docs/interchange.schema.json from the schema the importer validates with.
import { writeFileSync } from 'node:fs';
import { InterchangeDocument } from '../src/interchange/interchange.schema.js';

const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(InterchangeDocument)) };
writeFileSync(new URL('../docs/interchange.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
