"use client";

import { useRouter } from "next/navigation";
import { createCompanyAction } from "@/app/(app)/actions";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { useFormAction } from "@/components/use-action";

/** Creates a company owned by the signed-in person and opens it (onboarding and the switcher). */
export function CreateCompanyForm({ onCreated }: { onCreated?: () => void }) {
  const router = useRouter();
  const { formProps, pending, fieldErrors } = useFormAction(createCompanyAction, {
    success: "Company created",
    onSuccess: () => {
      onCreated?.();
      router.push("/workflows");
    },
  });
  return (
    <form {...formProps} className="grid gap-4">
      <FormField label="Company name" name="name" autoComplete="organization" required autoFocus error={fieldErrors.name} />
      <Button type="submit" pending={pending}>
        Create company
      </Button>
    </form>
  );
}
