import type { OptionsLoader } from "@/lib/integrations/types";
import { body, ficCompanies, type FicClient } from "./client";

// The pickers of the Fatture in Cloud fields, run with the step's connection (its company).

const PAGE = 50;

export const companyOptions: OptionsLoader<FicClient> = {
  id: "companies",
  label: "Fatture in Cloud companies",
  searchable: false,
  async load(client) {
    const companies = await ficCompanies(client);
    return {
      options: companies.map((c) => ({ value: c.accountId, label: c.displayName, ...(c.details?.vat ? { description: c.details.vat } : {}) })),
      nextCursor: null,
    };
  },
};

export const clientOptions: OptionsLoader<FicClient> = {
  id: "clients",
  label: "Fatture in Cloud clients",
  searchable: true,
  async load(client, { search, cursor }) {
    const page = cursor ? Number(cursor) : 1;
    const q = search?.trim() ? `name like '%${search.trim().replace(/'/g, "''")}%'` : undefined;
    const result = body(await client.clients.listClients(client.companyId(), undefined, "basic", "name", page, PAGE, q));
    const options = (result.data ?? [])
      .filter((c) => c.id)
      .map((c) => ({ value: String(c.id), label: c.name ?? String(c.id), ...(c.vat_number ? { description: c.vat_number } : {}) }));
    return { options, nextCursor: (result.current_page ?? page) < (result.last_page ?? page) ? String(page + 1) : null };
  },
};

export const vatTypeOptions: OptionsLoader<FicClient> = {
  id: "vat_types",
  label: "VAT types",
  searchable: false,
  async load(client) {
    const result = body(await client.info.listVatTypes(client.companyId()));
    return {
      options: (result.data ?? []).map((v) => ({ value: String(v.id), label: `${v.value ?? 0}%`, ...(v.description ? { description: v.description } : {}) })),
      nextCursor: null,
    };
  },
};

export const paymentMethodOptions: OptionsLoader<FicClient> = {
  id: "payment_methods",
  label: "Payment methods",
  searchable: false,
  async load(client) {
    const result = body(await client.info.listPaymentMethods(client.companyId()));
    return { options: (result.data ?? []).map((m) => ({ value: String(m.id), label: m.name ?? String(m.id) })), nextCursor: null };
  },
};

export const paymentAccountOptions: OptionsLoader<FicClient> = {
  id: "payment_accounts",
  label: "Payment accounts",
  searchable: false,
  async load(client) {
    const result = body(await client.info.listPaymentAccounts(client.companyId()));
    return {
      options: (result.data ?? []).map((a) => ({ value: String(a.id), label: a.name ?? String(a.id), ...(a.type ? { description: String(a.type) } : {}) })),
      nextCursor: null,
    };
  },
};

export const numerationOptions: OptionsLoader<FicClient> = {
  id: "numerations",
  label: "Numerations",
  searchable: false,
  async load(client) {
    const info = body(await client.documents.getIssuedDocumentPreCreateInfo(client.companyId(), "invoice" as never)).data;
    // numerations: { "<year>": { "<suffix>": <next number> } }
    const years = (info?.numerations ?? {}) as Record<string, Record<string, number>>;
    const suffixes = [...new Set(Object.values(years).flatMap((byYear) => Object.keys(byYear ?? {})))];
    return { options: suffixes.map((s) => ({ value: s, label: s === "" ? "Main numeration" : s })), nextCursor: null };
  },
};

export const ficOptions = [companyOptions, clientOptions, vatTypeOptions, paymentMethodOptions, paymentAccountOptions, numerationOptions];
