"use client";

import { renameCompanyAction } from "@/app/(app)/settings/actions";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { useFormAction } from "@/components/use-action";

export function CompanyNameForm({ name }: { name: string }) {
  const { formProps, pending, fieldErrors } = useFormAction(renameCompanyAction, { success: "Company renamed" });
  return (
    <form {...formProps} className="grid gap-4">
      <FormField label="Company name" name="name" defaultValue={name} autoComplete="organization" required error={fieldErrors.name} />
      <Button type="submit" pending={pending} className="justify-self-start">
        Save
      </Button>
    </form>
  );
}
