"use client";

import * as Popover from "@radix-ui/react-popover";
import { Command } from "cmdk";
import { ChevronsUpDown, LoaderCircle } from "lucide-react";
import { useEffect, useId, useRef, useState, type ComponentProps, type ReactNode } from "react";
import type { FieldHint, OptionItem, OptionsPage } from "@/lib/catalog/description";
import type { ActionResult } from "@/lib/auth/action";
import { controlClasses, Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { parseJsonText } from "@/components/workflows/json-text";
import { cn } from "@/lib/utils/cn";
import { durationUnits, joinDuration, splitDuration, zonedInstant, type DurationUnit, type FieldMessage } from "./config-check";
import { VariablePicker } from "./variable-picker";
import type { PreviewResult, Variable } from "./variables";

export type LoadOptions = (input: { loader: string; search?: string; cursor?: string }) => Promise<ActionResult<OptionsPage>>;

/** Resolves a field's {{…}} as a run would, and says against what ("the last run", "the sample payload"). */
export type ExpressionPreviewer = { resolve: (value: unknown) => PreviewResult; source: string };

type FieldProps = {
  hint: FieldHint;
  value: unknown;
  onChange: (value: unknown) => void;
  message?: FieldMessage;
  variables: Variable[];
  loadOptions: LoadOptions;
  /** Absent where expressions are not resolved (the trigger's own settings). */
  previewer?: ExpressionPreviewer;
  /** Set when the modal was opened to fix this field. */
  autoFocus?: boolean;
};

type WidgetProps = FieldProps & { id: string; describedBy?: string };

/** One config field: its label, help and message around the widget its hint asks for. */
export function ConfigField(props: FieldProps) {
  const id = useId();
  const { hint, message } = props;
  const helpId = hint.help ? `${id}-help` : undefined;
  const messageId = message ? `${id}-message` : undefined;
  const describedBy = [helpId, messageId].filter(Boolean).join(" ") || undefined;
  const textual = hint.widget === "text" || hint.widget === "multiline" || hint.widget === "expression";
  return (
    <div className="grid gap-1.5" data-field={hint.key}>
      <div className="flex items-end justify-between gap-2">
        <Label htmlFor={id}>
          {hint.label}
          {hint.required && <span className="text-muted-foreground"> (required)</span>}
        </Label>
      </div>
      {textual ? <TextWidget {...props} id={id} describedBy={describedBy} /> : <Widget {...props} id={id} describedBy={describedBy} />}
      {props.previewer && hint.widget !== "condition" && holdsExpression(props.value) && <ExpressionPreview value={props.value} previewer={props.previewer} />}
      {hint.help && (
        <p id={helpId} className="text-xs text-muted-foreground">
          {hint.help}
        </p>
      )}
      {message && (
        <p id={messageId} className={cn("text-xs font-medium", message.severity === "error" ? "text-destructive" : "text-warning-foreground")}>
          {message.message}
        </p>
      )}
    </div>
  );
}

const holdsExpression = (value: unknown): boolean =>
  typeof value === "string" ? value.includes("{{") : typeof value === "object" && value !== null && JSON.stringify(value).includes("{{");

const shown = (value: unknown) => {
  const text = value === undefined ? "(nothing)" : typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return text.length > 600 ? `${text.slice(0, 599)}…` : text;
};

/** What the field's {{…}} gives with the data at hand, or the error a run would stop with. */
function ExpressionPreview({ value, previewer }: { value: unknown; previewer: ExpressionPreviewer }) {
  const result = previewer.resolve(value);
  return (
    <div
      data-testid="expression-preview"
      aria-live="polite"
      className={cn(
        "grid gap-0.5 rounded-md border px-2 py-1.5 text-xs",
        result.ok ? "bg-muted/50" : "border-destructive/40 bg-destructive/5 text-destructive",
      )}
    >
      <span className="text-muted-foreground">{result.ok ? `Preview with ${previewer.source}` : `With ${previewer.source}, a run would stop here`}</span>
      {result.ok ? (
        <code className="font-mono break-all whitespace-pre-wrap text-foreground">{shown(result.value)}</code>
      ) : (
        <span>
          <span className="font-medium">{result.message}</span>. {result.remediation}
        </span>
      )}
    </div>
  );
}

const asText = (value: unknown) => (typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value));

/** Text, multi-line text and expressions: all take {{…}}, inserted at the cursor by the picker. */
function TextWidget({ hint, value, onChange, message, variables, id, describedBy, autoFocus }: WidgetProps) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const text = asText(value);
  const insert = (expression: string) => {
    const element = ref.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    onChange(text.slice(0, start) + expression + text.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + expression.length, start + expression.length);
    });
  };
  const common = {
    id,
    ref,
    value: text,
    placeholder: hint.placeholder,
    autoFocus,
    "aria-describedby": describedBy,
    "aria-invalid": message?.severity === "error" ? true : undefined,
    onChange: (event: { target: { value: string } }) => onChange(event.target.value === "" ? undefined : event.target.value),
  };
  return (
    <div className="grid gap-1.5">
      {hint.widget === "multiline" ? (
        <textarea {...common} rows={4} className={cn(controlClasses, "h-auto resize-y py-2")} />
      ) : (
        <Input {...common} className={hint.widget === "expression" ? "font-mono text-xs" : undefined} />
      )}
      <div className="flex justify-end">
        <VariablePicker variables={variables} onInsert={insert} fieldLabel={hint.label} />
      </div>
    </div>
  );
}

function Widget(props: WidgetProps) {
  const { hint, value, onChange, id, describedBy, autoFocus } = props;
  const aria = { id, "aria-describedby": describedBy, "aria-invalid": props.message?.severity === "error" ? true : undefined, autoFocus };
  switch (hint.widget) {
    case "number":
      return (
        <Input
          {...aria}
          type="number"
          inputMode="decimal"
          value={typeof value === "number" ? value : ""}
          placeholder={hint.placeholder}
          onChange={(event) => onChange(event.target.value === "" ? undefined : Number(event.target.value))}
        />
      );
    case "boolean":
      return (
        <input {...aria} type="checkbox" className="size-4 accent-primary" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
      );
    case "select":
      return (
        <Select {...aria} value={typeof value === "string" ? value : ""} onChange={(event) => onChange(event.target.value || undefined)} className="w-full">
          <option value="">Choose…</option>
          {hint.choices?.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </Select>
      );
    case "duration":
      return <DurationWidget {...props} />;
    case "date-time":
      return <DateTimeWidget {...props} />;
    case "json":
      return <JsonWidget {...props} />;
    case "options":
      return <OptionsWidget {...props} />;
    case "condition":
      return <ConditionWidget {...props} />;
    case "list":
      return (
        <textarea
          {...aria}
          rows={3}
          className={cn(controlClasses, "h-auto resize-y py-2")}
          placeholder={hint.placeholder ?? "One per line"}
          value={Array.isArray(value) ? value.join("\n") : ""}
          onChange={(event) => {
            const items = event.target.value.split("\n");
            onChange(items.every((item) => item === "") ? undefined : items);
          }}
          onBlur={() => Array.isArray(value) && onChange(value.map((item) => String(item).trim()).filter(Boolean))}
        />
      );
    default:
      return <TextWidget {...props} />;
  }
}

function DurationWidget({ value, onChange, id, describedBy, autoFocus, message }: WidgetProps) {
  const initial = typeof value === "number" ? splitDuration(value) : { amount: undefined, unit: "hours" as DurationUnit };
  const [unit, setUnit] = useState<DurationUnit>(initial.unit);
  const amount = typeof value === "number" ? value / durationUnits.find((candidate) => candidate.id === unit)!.ms : "";
  return (
    <div className="flex gap-2">
      <Input
        id={id}
        type="number"
        min={0}
        step="any"
        autoFocus={autoFocus}
        aria-describedby={describedBy}
        aria-invalid={message?.severity === "error" ? true : undefined}
        className="w-32"
        value={amount}
        onChange={(event) => onChange(event.target.value === "" ? undefined : joinDuration(Number(event.target.value), unit))}
      />
      <Select
        aria-label="Unit"
        value={unit}
        onChange={(event) => {
          const next = event.target.value as DurationUnit;
          setUnit(next);
          if (typeof amount === "number") onChange(joinDuration(amount, next));
        }}
      >
        {durationUnits.map((candidate) => (
          <option key={candidate.id} value={candidate.id}>
            {candidate.label}
          </option>
        ))}
      </Select>
    </div>
  );
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const zones = () => (typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [browserZone()]);

function DateTimeWidget(props: WidgetProps) {
  const { value, onChange, id, describedBy, autoFocus } = props;
  const text = typeof value === "string" ? value : "";
  const [zone, setZone] = useState(browserZone);
  const [asExpression, setAsExpression] = useState(text.includes("{{"));
  if (asExpression) {
    return (
      <div className="grid gap-1">
        <TextWidget {...props} hint={{ ...props.hint, widget: "expression", placeholder: "{{trigger.payload.dueAt}}" }} />
        <button type="button" className="justify-self-start text-xs text-primary underline-offset-4 hover:underline" onClick={() => setAsExpression(false)}>
          Pick a date instead
        </button>
      </div>
    );
  }
  const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) ? text.slice(0, 16) : "";
  return (
    <div className="grid gap-1">
      <div className="flex flex-wrap gap-2">
        <Input
          id={id}
          type="datetime-local"
          className="w-auto"
          autoFocus={autoFocus}
          aria-describedby={describedBy}
          value={local}
          onChange={(event) => onChange(event.target.value ? zonedInstant(event.target.value, zone) : undefined)}
        />
        <Select
          aria-label="Time zone"
          value={zone}
          onChange={(event) => {
            setZone(event.target.value);
            if (local) onChange(zonedInstant(local, event.target.value));
          }}
          className="max-w-56"
        >
          {zones().map((candidate) => (
            <option key={candidate}>{candidate}</option>
          ))}
        </Select>
      </div>
      {text && <p className="text-xs text-muted-foreground">Saved as {text}</p>}
      <button type="button" className="justify-self-start text-xs text-primary underline-offset-4 hover:underline" onClick={() => setAsExpression(true)}>
        Use a variable instead
      </button>
    </div>
  );
}

type JsonCode = typeof import("./json-code").default;
let jsonCode: JsonCode | undefined;
let loadingJsonCode: Promise<JsonCode> | undefined;

/**
 * Fetches and evaluates CodeMirror (json-code.tsx says why it is apart). The editor asks for it once
 * the page is idle, so a form opened later draws it in the same render: loaded by the form itself,
 * its ~40 ms of evaluating and mounting landed among the first keys typed there.
 */
export function loadJsonCode(): Promise<JsonCode> {
  loadingJsonCode ??= import("./json-code").then(
    (module) => (jsonCode = module.default),
    (error: unknown) => {
      loadingJsonCode = undefined; // the next form that needs it asks again
      throw error;
    },
  );
  return loadingJsonCode;
}

/** CodeMirror once it is loaded (at once when the editor preloaded it); until then the box keeps its place. */
function LazyJsonCode(props: ComponentProps<JsonCode>) {
  const [Loaded, setLoaded] = useState(() => jsonCode);
  useEffect(() => {
    if (!Loaded)
      loadJsonCode().then(
        (component) => setLoaded(() => component),
        () => undefined,
      );
  }, [Loaded]);
  return Loaded ? <Loaded {...props} /> : <div className="min-h-20" aria-hidden />;
}

/** JSON with highlighting and the parse error at its line and column; the value changes only while the text parses. */
function JsonWidget({ value, onChange, id, describedBy }: WidgetProps) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="grid gap-1">
      <div className="overflow-hidden rounded-md border border-input text-xs">
        <LazyJsonCode
          id={id}
          describedBy={describedBy}
          text={text}
          onChange={(next) => {
            setText(next);
            if (next.trim() === "") {
              setError(null);
              return onChange(undefined);
            }
            const parsed = parseJsonText(next);
            setError(parsed.ok ? null : parsed.message);
            if (parsed.ok) onChange(parsed.value);
          }}
        />
      </div>
      {error && <p className="text-xs font-medium text-destructive">{error}</p>}
    </div>
  );
}

/** A value from an options loader (the Slack channel picker), searched on the server; typing a value by hand still works. */
function OptionsWidget({ hint, value, onChange, loadOptions, id, describedBy, message, autoFocus }: WidgetProps) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const [options, setOptions] = useState<OptionItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<"idle" | "loading" | ReactNode>("idle");
  const text = asText(value);

  useEffect(() => {
    if (!open || !hint.loader) return;
    const loader = hint.loader;
    let current = true;
    // Debounced: a search per pause in typing, not per key.
    const timer = setTimeout(async () => {
      setState("loading");
      const result = await loadOptions({ loader, search: search || undefined });
      if (!current) return;
      if (result.ok) {
        setOptions(result.data.options);
        setNext(result.data.nextCursor);
        setState("idle");
      } else {
        setOptions([]);
        setState(
          <>
            {result.error.message}. {result.error.remediation}
          </>,
        );
      }
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [open, search, hint.loader, loadOptions]);

  const more = async () => {
    if (!next || !hint.loader) return;
    const result = await loadOptions({ loader: hint.loader, search: search || undefined, cursor: next });
    if (result.ok) {
      setOptions((current) => [...current, ...result.data.options]);
      setNext(result.data.nextCursor);
    }
  };
  const chosen = options.find((option) => option.value === text);

  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <div className="flex gap-2">
        <Input
          id={id}
          value={text}
          autoFocus={autoFocus}
          placeholder={hint.placeholder ?? "Choose, or type a value"}
          aria-describedby={describedBy}
          aria-invalid={message?.severity === "error" ? true : undefined}
          onChange={(event) => onChange(event.target.value || undefined)}
        />
        <Popover.Trigger className={cn(controlClasses, "flex w-auto shrink-0 items-center gap-1.5")} aria-label={`Choose ${hint.label}`}>
          Choose
          <ChevronsUpDown className="size-4 text-muted-foreground" aria-hidden />
        </Popover.Trigger>
      </div>
      {chosen && chosen.label !== text && <p className="text-xs text-muted-foreground">{chosen.label}</p>}
      <Popover.Content
        align="end"
        sideOffset={4}
        className="z-[60] w-[min(24rem,calc(100vw-2rem))] rounded-lg border bg-popover text-popover-foreground shadow-lg"
      >
        <Command label={hint.label} shouldFilter={false} loop>
          <Command.Input
            autoFocus
            value={search}
            onValueChange={setSearch}
            placeholder={`Search ${hint.label.toLowerCase()}…`}
            className="h-10 w-full border-b bg-transparent px-3 text-sm outline-none placeholder:text-muted-foreground"
          />
          <Command.List className="max-h-64 overflow-y-auto p-1">
            {state === "loading" && options.length === 0 && (
              <Command.Loading>
                <p className="flex items-center gap-2 px-3 py-3 text-sm text-muted-foreground">
                  <LoaderCircle className="size-4 animate-spin" aria-hidden /> Loading…
                </p>
              </Command.Loading>
            )}
            {state !== "idle" && state !== "loading" && <p className="px-3 py-3 text-sm text-destructive">{state}</p>}
            {state === "idle" && options.length === 0 && <p className="px-3 py-3 text-sm text-muted-foreground">Nothing found.</p>}
            {options.map((option) => (
              <Command.Item
                key={option.value}
                value={option.value}
                onSelect={() => {
                  onChange(option.value);
                  setOpen(false);
                }}
                className="flex cursor-pointer items-baseline justify-between gap-3 rounded-md px-2 py-1.5 text-sm data-[selected=true]:bg-accent"
              >
                <span>{option.label}</span>
                {option.description && <span className="truncate text-xs text-muted-foreground">{option.description}</span>}
              </Command.Item>
            ))}
            {next && (
              <Command.Item onSelect={() => void more()} className="cursor-pointer rounded-md px-2 py-1.5 text-sm text-primary data-[selected=true]:bg-accent">
                Show more
              </Command.Item>
            )}
          </Command.List>
        </Command>
      </Popover.Content>
    </Popover.Root>
  );
}

const operators = [
  ["eq", "equals"],
  ["neq", "does not equal"],
  ["gt", "is greater than"],
  ["gte", "is at least"],
  ["lt", "is less than"],
  ["lte", "is at most"],
  ["contains", "contains"],
  ["notContains", "does not contain"],
  ["startsWith", "starts with"],
  ["endsWith", "ends with"],
  ["matches", "matches the pattern"],
  ["in", "is one of (JSON list)"],
  ["exists", "exists"],
  ["isEmpty", "is empty"],
] as const;
const unary = new Set(["exists", "isEmpty"]);

type Comparison = { op: string; left?: unknown; right?: unknown };
const isComparison = (value: unknown): value is Comparison =>
  typeof value === "object" && value !== null && "op" in value && !("all" in value) && !("any" in value);

/** A number typed as "1000" is compared as a number; anything else as the text it is. */
function readRight(text: string, op: string): unknown {
  if (op === "in") {
    const parsed = parseJsonText(text);
    return parsed.ok ? parsed.value : text;
  }
  const trimmed = text.trim();
  if (trimmed !== "" && !trimmed.includes("{{") && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  return text;
}

/** One comparison, built in the form; groups (all / any) are edited as JSON. */
function ConditionWidget(props: WidgetProps) {
  const { value, onChange, variables, id } = props;
  const [asJson, setAsJson] = useState(value !== undefined && !isComparison(value));
  const condition: Comparison = isComparison(value) ? value : { op: "eq" };
  const [rightText, setRightText] = useState(
    condition.right === undefined ? "" : typeof condition.right === "string" ? condition.right : JSON.stringify(condition.right),
  );
  if (asJson) {
    return (
      <div className="grid gap-1">
        <JsonWidget {...props} />
        <p className="text-xs text-muted-foreground">
          A comparison {"{ op, left, right }"} or a group {"{ all: […] }"} / {"{ any: […] }"}; see the operators in the workflow format guide.
        </p>
      </div>
    );
  }
  const change = (next: Comparison) => onChange(next);
  return (
    <div className="grid gap-2 rounded-md border p-3">
      <ConfigField
        hint={{ key: "left", label: "Value", widget: "expression", required: true, placeholder: "{{trigger.payload.amount}}" }}
        value={condition.left}
        onChange={(left) => change({ ...condition, left })}
        variables={variables}
        loadOptions={props.loadOptions}
        previewer={props.previewer}
        autoFocus={props.autoFocus}
      />
      <div className="grid gap-1.5">
        <Label htmlFor={`${id}-op`}>Comparison</Label>
        <Select
          id={`${id}-op`}
          value={condition.op}
          onChange={(event) => change({ ...condition, op: event.target.value, ...(unary.has(event.target.value) ? { right: undefined } : {}) })}
          className="w-full"
        >
          {operators.map(([op, label]) => (
            <option key={op} value={op}>
              {label}
            </option>
          ))}
        </Select>
      </div>
      {!unary.has(condition.op) && (
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-right`}>Compared with</Label>
          <Input
            id={`${id}-right`}
            value={rightText}
            placeholder="1000"
            onChange={(event) => {
              setRightText(event.target.value);
              change({ ...condition, right: readRight(event.target.value, condition.op) });
            }}
          />
        </div>
      )}
      <button type="button" className="justify-self-start text-xs text-primary underline-offset-4 hover:underline" onClick={() => setAsJson(true)}>
        Combine several conditions (JSON)
      </button>
    </div>
  );
}
