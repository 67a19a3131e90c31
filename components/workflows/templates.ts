import type { WorkflowDefinition } from "@/lib/workflow/definition";

// What "New workflow" offers besides a blank canvas. Built only from node and trigger types; the
// page lists those whose types are all in the catalog, so a template for a provider that is not
// installed never appears.

export type WorkflowTemplate = { id: string; name: string; description: string; definition: WorkflowDefinition };

const at = (x: number, y: number) => ({ x, y });
const edge = (id: string, source: string, target: string, sourceHandle = "out") => ({ id, source, target, sourceHandle, targetHandle: "in" });

export const workflowTemplates: WorkflowTemplate[] = [
  {
    id: "slack-approval",
    name: "Slack approval of big requests",
    description: "Announce a request in Slack; above 1,000 a manager approves it first; then post the outcome.",
    definition: {
      trigger: { type: "manual", config: { samplePayload: { amount: 1500, requester: "ada@example.com", reason: "New laptops" } } },
      nodes: [
        {
          id: "announce",
          type: "slack.send_message",
          name: "Announce the request",
          config: { text: "New request of {{trigger.payload.amount}} from {{trigger.payload.requester}}: {{trigger.payload.reason}}" },
          position: at(0, 140),
        },
        {
          id: "big",
          type: "control.if",
          name: "Over 1,000?",
          config: { condition: { op: "gt", left: "{{trigger.payload.amount}}", right: 1000 } },
          position: at(0, 280),
        },
        {
          id: "approve",
          type: "control.approval",
          name: "Manager approves",
          config: { message: "Approve {{trigger.payload.amount}} for {{trigger.payload.reason}}?", timeoutMs: 86_400_000 },
          position: at(-160, 420),
        },
        {
          id: "outcome",
          type: "slack.notify_status",
          name: "Post the outcome",
          config: { status: "succeeded", message: "Request of {{trigger.payload.amount}} handled" },
          position: at(0, 560),
        },
      ],
      edges: [
        edge("e1", "trigger", "announce"),
        edge("e2", "announce", "big"),
        edge("e3", "big", "approve", "true"),
        edge("e4", "big", "outcome", "false"),
        edge("e5", "approve", "outcome", "approved"),
      ],
      ui: { trigger: at(0, 0) },
    },
  },
  {
    id: "webhook-to-slack",
    name: "Webhook to Slack",
    description: "Post each event another system sends to the workflow's webhook to a Slack channel.",
    definition: {
      trigger: { type: "webhook", config: {} },
      nodes: [{ id: "post", type: "slack.send_message", name: "Post the event", config: { text: "Received {{trigger.payload.body}}" }, position: at(0, 140) }],
      edges: [edge("e1", "trigger", "post")],
      ui: { trigger: at(0, 0) },
    },
  },
];

/** The templates whose every type exists: the trigger's and each node's. */
export function availableTemplates(types: { nodeTypes: readonly { type: string }[]; triggerTypes: readonly { type: string }[] }): WorkflowTemplate[] {
  const nodes = new Set(types.nodeTypes.map((nodeType) => nodeType.type));
  const triggers = new Set(types.triggerTypes.map((trigger) => trigger.type));
  return workflowTemplates.filter(
    (template) => triggers.has(template.definition.trigger.type) && template.definition.nodes.every((node) => nodes.has(node.type)),
  );
}
