"use client";

import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import CodeMirror from "@uiw/react-codemirror";
import { useTheme } from "next-themes";

// CodeMirror, for a JSON field of a step's form. Its own module so that the editor page loads it
// once it is idle after opening (fields.tsx, loadJsonCode): it is most of the script a 300-step
// workflow's page would otherwise evaluate while it opens.

// Built once: new values on each render make CodeMirror reconfigure itself, on every keystroke of every field in the modal.
const jsonExtensions = [json(), linter(jsonParseLinter()), lintGutter()];
const jsonSetup = { foldGutter: false, highlightActiveLine: false };

export default function JsonCode({ id, describedBy, text, onChange }: { id: string; describedBy?: string; text: string; onChange: (text: string) => void }) {
  const { resolvedTheme } = useTheme();
  return (
    <CodeMirror
      id={id}
      aria-describedby={describedBy}
      value={text}
      height="auto"
      minHeight="80px"
      maxHeight="280px"
      theme={resolvedTheme === "dark" ? "dark" : "light"}
      extensions={jsonExtensions}
      basicSetup={jsonSetup}
      onChange={onChange}
    />
  );
}
