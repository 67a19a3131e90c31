import { defineOperation } from "@/lib/api/operation";
import { meResponseSchema } from "@/lib/api/schemas";

// Every operation of the public API, in the order the OpenAPI document lists them.
export const getMe = defineOperation({
  id: "getMe",
  method: "GET",
  path: "/me",
  summary: "The company this API key acts for",
  tag: "Account",
  response: meResponseSchema,
});

export const operations = [getMe];
