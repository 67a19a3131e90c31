import { CircleCheck, OctagonExclamationPoint, TriangleExclamationPoint } from "lucide-react";
import type { ReactNode } from "react";
import type { JsonPath } from "@/lib/workflow/json";
import { cn } from "@/lib/utils/cn";

/**
 * A validation problem, from the draft's own check or from a refused save, import or publish.
 * Issues of a refused request may lack a severity: anything that refused it is an error.
 */
export type ProblemItem = {
  severity?: "error" | "warning";
  message: string;
  nodeId?: string;
  edgeId?: string;
  path: JsonPath;
  /** A warning in a draft that becomes an error when publishing (a missing field, an unconnected node). */
  blocksPublishing?: boolean;
};

const identifier = /^[A-Za-z_$][\w$]*$/;

/** ["nodes", 2, "config", "condition"] → nodes[2].config.condition, as people write it in code. */
export function formatPath(path: JsonPath): string {
  return path
    .map((key, index) => {
      if (typeof key === "number") return `[${key}]`;
      if (!identifier.test(key)) return `[${JSON.stringify(key)}]`;
      return index === 0 ? key : `.${key}`;
    })
    .join("");
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** "1 error and 2 warnings", "No problems". */
export function problemSummary(problems: ProblemItem[]): string {
  const errors = problems.filter((problem) => problem.severity !== "warning").length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return "No problems";
  if (errors === 0) return plural(warnings, "warning");
  if (warnings === 0) return plural(errors, "error");
  return `${plural(errors, "error")} and ${plural(warnings, "warning")}`;
}

/** With `onSelect`, each problem is a button (the editor opens its node and field). */
export function ProblemList({ problems, onSelect }: { problems: ProblemItem[]; onSelect?: (problem: ProblemItem) => void }) {
  return (
    <ul className="grid gap-2">
      {problems.map((problem, index) => (
        // Problems have no id of their own, and the list is replaced as a whole.
        <ProblemRow key={index} problem={problem} onSelect={onSelect} />
      ))}
    </ul>
  );
}

function ProblemRow({ problem, onSelect }: { problem: ProblemItem; onSelect?: (problem: ProblemItem) => void }) {
  const isWarning = problem.severity === "warning";
  const Icon = isWarning ? TriangleExclamationPoint : OctagonExclamationPoint;
  const classes = cn(
    "flex w-full gap-2.5 rounded-lg border px-3 py-2 text-left text-sm",
    isWarning ? "border-warning-foreground/30 bg-warning" : "border-destructive/40 bg-destructive/10",
    onSelect && "cursor-pointer hover:brightness-95 focus-visible:outline-2 focus-visible:outline-ring",
  );
  const content = (
    <>
      <Icon className={cn("mt-0.5 size-4 shrink-0", isWarning ? "text-warning-foreground" : "text-destructive")} aria-hidden />
      <div className="grid min-w-0 gap-1">
        <p>
          <span className={cn("font-medium", isWarning ? "text-warning-foreground" : "text-destructive")}>{isWarning ? "Warning" : "Error"}: </span>
          {problem.message}
        </p>
        <p className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-muted-foreground">
          {problem.nodeId && (
            <span>
              Node <code className="font-mono text-foreground">{problem.nodeId}</code>
            </span>
          )}
          {problem.edgeId && (
            <span>
              Edge <code className="font-mono text-foreground">{problem.edgeId}</code>
            </span>
          )}
          {problem.path.length > 0 && <code className="font-mono break-all">{formatPath(problem.path)}</code>}
          {problem.blocksPublishing && <span className="font-medium text-warning-foreground">Blocks publishing</span>}
        </p>
      </div>
    </>
  );
  return (
    <li className={onSelect ? undefined : classes}>
      {onSelect ? (
        <button type="button" className={classes} onClick={() => onSelect(problem)}>
          {content}
        </button>
      ) : (
        content
      )}
    </li>
  );
}

/**
 * The draft's problems under the editor; the count is a live region, so a save that changes it is
 * announced. `notice` says why the list is not the saved draft's (a save that was refused).
 */
export function DraftProblems({ problems, onSelect, notice }: { problems: ProblemItem[]; onSelect?: (problem: ProblemItem) => void; notice?: ReactNode }) {
  return (
    <section aria-labelledby="draft-problems" className="grid gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id="draft-problems" className="text-sm font-medium">
          Problems
        </h3>
        <p role="status" className="text-xs text-muted-foreground">
          {problemSummary(problems)}
        </p>
      </div>
      {notice}
      {problems.length === 0 ? (
        <p className="flex items-center gap-2 rounded-lg border border-dashed px-3 py-3 text-sm text-muted-foreground">
          <CircleCheck className="size-4 shrink-0 text-primary" aria-hidden />
          No problems in the saved draft.
        </p>
      ) : (
        <ProblemList problems={problems} onSelect={onSelect} />
      )}
    </section>
  );
}
