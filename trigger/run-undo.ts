import { catalog } from "@/lib/catalog";
import { defineUndoRunner } from "@/lib/workflow/hosts/trigger-task";

// One task run per undo request (lib/workflow/undo.ts), triggered by the app when TRIGGER_SECRET_KEY is set.
export const undoRunner = defineUndoRunner(catalog);
