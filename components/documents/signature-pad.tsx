"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";

/** A drawing surface for a signature: mouse, pen or finger. Hands back a PNG data URL, or null when cleared. */
export function SignaturePad({ onChange }: { onChange: (dataUrl: string | null) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const drawn = useRef(false);

  useEffect(() => {
    const element = canvas.current!;
    // Crisp on high-density screens: the bitmap follows the CSS size times the pixel ratio.
    const ratio = window.devicePixelRatio || 1;
    element.width = element.offsetWidth * ratio;
    element.height = element.offsetHeight * ratio;
    const context = element.getContext("2d")!;
    context.scale(ratio, ratio);
    context.lineWidth = 2.2;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1e2a78";
  }, []);

  const point = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };

  return (
    <div className="grid gap-2">
      <canvas
        ref={canvas}
        aria-label="Draw your signature here"
        role="img"
        className="h-36 w-full touch-none rounded-md border border-input bg-white"
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          drawing.current = true;
          const { x, y } = point(event);
          const context = event.currentTarget.getContext("2d")!;
          context.beginPath();
          context.moveTo(x, y);
          context.lineTo(x + 0.1, y + 0.1);
          context.stroke();
        }}
        onPointerMove={(event) => {
          if (!drawing.current) return;
          const { x, y } = point(event);
          const context = event.currentTarget.getContext("2d")!;
          context.lineTo(x, y);
          context.stroke();
          drawn.current = true;
        }}
        onPointerUp={(event) => {
          drawing.current = false;
          if (drawn.current) onChange(event.currentTarget.toDataURL("image/png"));
        }}
      />
      <div className="flex justify-end">
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            const element = canvas.current!;
            element.getContext("2d")!.clearRect(0, 0, element.width, element.height);
            drawn.current = false;
            onChange(null);
          }}
        >
          Clear
        </Button>
      </div>
    </div>
  );
}
