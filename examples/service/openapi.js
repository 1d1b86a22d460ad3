import { DEFAULT_TOP_K, MAX_SMILES_LENGTH, MAX_TOP_K } from './rank.js';

/** The OpenAPI 3 description served at GET /openapi.json. */
export function openApiDocument(version) {
  const error = { $ref: '#/components/schemas/Error' };
  const json = (schema) => ({ 'application/json': { schema } });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Example ranking service',
      version,
      description: 'Ranks protein targets for a molecule. A dependency-free stand-in for an ML API.',
    },
    paths: {
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Liveness and version',
          responses: {
            200: { description: 'The service is up', content: json({ $ref: '#/components/schemas/Health' }) },
          },
        },
      },
      '/rank': {
        post: {
          operationId: 'rank',
          summary: 'Rank targets for a molecule',
          security: [{ ApiKey: [] }],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/RankRequest' }) },
          responses: {
            200: {
              description: 'Ranked targets, best first',
              content: json({ $ref: '#/components/schemas/RankResponse' }),
            },
            400: { description: 'Invalid JSON or input', content: json(error) },
            401: { description: 'Missing or wrong X-API-Key', content: json(error) },
          },
        },
      },
    },
    components: {
      securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Health: {
          type: 'object',
          required: ['status', 'version'],
          properties: { status: { type: 'string', enum: ['ok'] }, version: { type: 'string' } },
        },
        RankRequest: {
          type: 'object',
          required: ['smiles'],
          properties: {
            smiles: {
              type: 'string',
              minLength: 1,
              maxLength: MAX_SMILES_LENGTH,
              example: 'CC(=O)Oc1ccccc1C(=O)O',
            },
            top_k: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: DEFAULT_TOP_K },
          },
        },
        RankResponse: {
          type: 'object',
          required: ['results'],
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['target', 'score'],
                properties: { target: { type: 'string' }, score: { type: 'number', minimum: 0, maximum: 1 } },
              },
            },
          },
        },
        Error: { type: 'object', required: ['detail'], properties: { detail: { type: 'string' } } },
      },
    },
  };
}
