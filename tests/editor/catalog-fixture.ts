import { z } from "zod";
import type { CatalogDescription, FieldHint, NodeTypeDescription } from "@/lib/catalog/description";

// A stand-in for describeCatalog() while it is being written (issue 9): the same types, a few
// node types. Test-only; deleted once the real description lands on main.

const schema = (type: z.ZodType) => JSON.parse(JSON.stringify(z.toJSONSchema(type, { io: "input" }))) as Record<string, unknown>;
const field = (key: string, label: string, widget: FieldHint["widget"], extra: Partial<FieldHint> = {}): FieldHint => ({ key, label, widget, required: false, ...extra });
const inOnly = [{ id: "in", label: "In" }];

function nodeType(spec: Omit<NodeTypeDescription, "version" | "inputs" | "effectful" | "example"> & Partial<NodeTypeDescription>): NodeTypeDescription {
  return { version: 1, inputs: inOnly, effectful: false, example: {}, ...spec };
}

export const fixtureCatalog: CatalogDescription = {
  triggerTypes: [
    {
      type: "manual",
      name: "Manual",
      description: "Run now, or the API",
      icon: { builtin: "manual" },
      configSchema: schema(z.object({})),
      fields: [],
      payloadSchema: schema(z.object({ amount: z.number().describe("Amount"), requester: z.object({ email: z.string() }) })),
      example: {},
      samplePayload: { amount: 1200, requester: { email: "ada@example.com" } },
      outputs: [{ id: "out", label: "Start", multiple: true }],
    },
  ],
  nodeTypes: [
    nodeType({
      type: "core.noop",
      name: "Pass through",
      description: "Passes its value on",
      category: "core",
      icon: { builtin: "noop" },
      configSchema: schema(z.object({ value: z.unknown().optional() })),
      fields: [field("value", "Value", "json")],
      outputs: [{ id: "out", label: "Next", multiple: true }],
      outputSchema: schema(z.object({ value: z.unknown() })),
    }),
    nodeType({
      type: "control.if",
      name: "If",
      description: "Branches on a condition",
      category: "control",
      icon: { builtin: "if" },
      configSchema: schema(z.object({ condition: z.object({ op: z.string(), left: z.unknown(), right: z.unknown().optional() }) })),
      fields: [field("condition", "Condition", "condition", { required: true })],
      outputs: [
        { id: "true", label: "True" },
        { id: "false", label: "False" },
      ],
      outputSchema: schema(z.object({ result: z.boolean() })),
    }),
    nodeType({
      type: "control.loop",
      name: "Loop",
      description: "Runs its body once per item",
      category: "control",
      icon: { builtin: "loop" },
      configSchema: schema(z.object({ items: z.string(), maxIterations: z.int().min(1).max(10000).optional() })),
      fields: [field("items", "Items", "expression", { required: true }), field("maxIterations", "At most", "number", { advanced: true })],
      outputs: [
        { id: "body", label: "Each item" },
        { id: "done", label: "Done" },
      ],
      outputSchema: schema(z.object({ iterations: z.int() })),
    }),
    nodeType({
      type: "control.wait",
      name: "Wait",
      description: "Pauses the run",
      category: "control",
      icon: { builtin: "wait" },
      configSchema: schema(z.object({ durationMs: z.int().min(0).max(31_622_400_000).optional(), until: z.string().optional() })),
      fields: [field("durationMs", "Wait for", "duration"), field("until", "Or until", "date-time")],
      outputs: [{ id: "out", label: "Then" }],
      outputSchema: schema(z.object({ resumedAt: z.string() })),
    }),
    nodeType({
      type: "control.approval",
      name: "Approval",
      description: "Waits for a decision",
      category: "control",
      icon: { builtin: "approval" },
      configSchema: schema(z.object({ message: z.string().min(1).max(5000), approvers: z.array(z.string()).optional(), timeoutMs: z.int().min(1000).max(2_592_000_000) })),
      fields: [
        field("message", "Message", "multiline", { required: true, help: "What the approver reads" }),
        field("timeoutMs", "Decide within", "duration", { required: true }),
        field("approvers", "Approvers", "list", { advanced: true }),
      ],
      outputs: [
        { id: "approved", label: "Approved" },
        { id: "rejected", label: "Rejected" },
        { id: "timeout", label: "Timed out" },
      ],
      outputSchema: schema(z.object({ decision: z.enum(["approved", "rejected", "timeout"]), decidedBy: z.string().optional() })),
    }),
    nodeType({
      type: "slack.send_message",
      name: "Send message",
      description: "Posts a message to a Slack channel",
      category: "slack",
      provider: "slack",
      icon: { src: "/icons/slack.svg" },
      effectful: true,
      configSchema: schema(z.object({ channel: z.string().min(1).max(200), text: z.string().min(1).max(40000) })),
      fields: [
        field("channel", "Channel", "options", { required: true, loader: "slack.channels" }),
        field("text", "Message", "multiline", { required: true, placeholder: "Hello {{trigger.payload.name}}" }),
      ],
      outputs: [{ id: "out", label: "Next" }],
      outputSchema: schema(z.object({ channel: z.string(), ts: z.string() })),
    }),
  ],
  providers: [
    {
      id: "slack",
      name: "Slack",
      description: "Messages and files in Slack",
      icon: { src: "/icons/slack.svg" },
      categories: ["communication"],
      auth: { oauth: true, token: null },
      actions: ["slack.send_message"],
      optionLoaders: [{ id: "slack.channels", label: "Channels", searchable: true }],
    },
  ],
};
