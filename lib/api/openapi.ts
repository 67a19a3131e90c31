import { z } from "zod";
import type { Operation } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import { errorBodySchema } from "@/lib/api/schemas";
import { version } from "@/lib/version";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

const errorStatus: Record<number, string> = {
  400: "Malformed request",
  401: "Missing or invalid API key",
  403: "Not allowed",
  404: "Not found (or another company's)",
  409: "Conflict",
  413: "Too large",
  422: "Validation failed: every problem with its path",
  429: "Rate limited",
};

function parameters(op: Operation) {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ["path", op.params],
    ["query", op.query],
  ] as const) {
    if (!schema) continue;
    const shape = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(shape.properties ?? {})) {
      out.push({ name, in: where, required: where === "path" || (shape.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations as Operation[]) {
    const responses: Record<string, unknown> = {
      [String(op.status ?? 200)]: op.download
        ? { description: op.download.description, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }
        : { description: "OK", content: { "application/json": { schema: jsonSchema(op.response, "output") } } },
    };
    for (const status of [400, 401, ...(op.errors ?? [])]) {
      responses[String(status)] = {
        description: errorStatus[status] ?? "Error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
      operationId: op.id,
      summary: op.summary,
      tags: [op.tag],
      parameters: parameters(op),
      ...(op.upload
        ? {
            requestBody: {
              required: true,
              content: {
                "multipart/form-data": {
                  schema: {
                    type: "object",
                    required: [op.upload.field],
                    properties: {
                      [op.upload.field]: { type: "string", format: "binary", description: op.upload.description },
                      folder: { type: "string" },
                      tags: { type: "string", description: "Comma-separated" },
                    },
                  },
                },
              },
            },
          }
        : {}),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.documentedBody ?? op.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Flowline API", version, description: "Company-scoped API. Authenticate with `Authorization: Bearer <API key>` (Settings > API keys)." },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key from Settings > API keys" } },
      schemas: { Error: jsonSchema(errorBodySchema, "output") },
    },
    paths,
  };
}
