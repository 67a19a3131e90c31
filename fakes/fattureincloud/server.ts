import { randomBytes } from "node:crypto";
import type http from "node:http";
import { consentPage, createFakeKit, escapeHtml, hiddenInputs, scopeItems, serveFake, type Fault, type RecordedCall } from "../kit";

// A local stand-in for the Fatture in Cloud API v2 (test support and `npm run dev:sandbox`):
// the OAuth consent page and token endpoint (code and refresh_token grants, expiring tokens),
// /user/info and /user/companies with two companies, issued documents (create with realistic
// numbering, get, modify, delete, list with paging and a small `q` filter, totals, email, the
// pre-create info), VAT types, payment methods and accounts, clients with search, and the 422
// "Il totale dei pagamenti non corrisponde al totale da pagare" when payments do not add up.
// Faults come from fakes/kit.ts; `{type: "error", error}` plays a Fatture in Cloud error code:
// license_expired / no_permission / quota_exceeded (403), payments_mismatch (422).
// Calls are recorded under the SDK's method names (createIssuedDocument, listUserCompanies, …).

export type { Fault, RecordedCall };

type Company = { id: number; name: string; type: "company"; vat_number: string };
type Payment = {
  id: number;
  amount: number;
  due_date: string;
  status: "paid" | "not_paid" | "reversed";
  paid_date: string | null;
  payment_account: { id: number; name?: string } | null;
};
type Item = { name: string; qty: number; net_price: number; gross_price: number; vat: { id: number; value: number; description: string } };
export type FakeDocument = {
  id: number;
  companyId: number;
  type: string;
  number: number;
  numeration: string;
  date: string;
  entity: Record<string, unknown>;
  subject: string;
  visible_subject: string;
  notes: string;
  items_list: Item[];
  payments_list: Payment[];
  amount_net: number;
  amount_vat: number;
  amount_gross: number;
  url: string;
  emails: { recipient_email: string; subject: string; body: string; attach_pdf: boolean }[];
};
type TokenInfo = { kind: "access" | "refresh"; revoked: boolean; expiresAt: number | null; pair?: string; userId: number };

export type FakeFattureInCloudOptions = { port?: number; host?: string; portHint?: string; clientId?: string; clientSecret?: string; expiresIn?: number };
export type FakeFattureInCloud = Awaited<ReturnType<typeof startFakeFattureInCloud>>;

const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;
const today = () => new Date().toISOString().slice(0, 10);
const page = (title: string, body: string) => consentPage({ lang: "it", background: "#eaf2fb", accent: "#0d6efd" }, title, body);

export const vatTypes = [
  { id: 0, value: 22, description: "22%" },
  { id: 3, value: 10, description: "10%" },
  { id: 4, value: 4, description: "4%" },
  { id: 6, value: 0, description: "Non imponibile art. 8" },
];
const paymentMethods = [
  { id: 386683, name: "Bonifico bancario", type: "standard" },
  { id: 386684, name: "Contanti", type: "standard" },
];
const paymentAccounts = [
  { id: 110, name: "Conto Intesa", type: "bank" },
  { id: 111, name: "Cassa", type: "cash" },
];

export async function startFakeFattureInCloud(options: FakeFattureInCloudOptions = {}) {
  const clientId = options.clientId ?? "fake-fic-client-id";
  const clientSecret = options.clientSecret ?? "fake-fic-client-secret";
  const settings = { expiresIn: options.expiresIn ?? 86_400 };
  const user = { id: 4242, name: "Mario Rossi", email: "mario.rossi@example.it" };
  const companies: Company[] = [
    { id: 1000001, name: "Rossi Consulenze S.r.l.", type: "company", vat_number: "IT01234567890" },
    { id: 1000002, name: "Bianchi Design di Luca Bianchi", type: "company", vat_number: "IT09876543210" },
  ];
  const clients = new Map<number, Record<string, unknown>[]>([
    [
      1000001,
      [
        { id: 54321, name: "Mary Red S.r.L.", vat_number: "IT05432181211", email: "amministrazione@maryred.it", address_city: "Milano" },
        { id: 54322, name: "Verdi Costruzioni S.p.A.", vat_number: "IT07654321098", email: "fatture@verdicostruzioni.it", address_city: "Torino" },
        { id: 54323, name: "Gialli Ristorazione", vat_number: "IT03456789012", email: "info@gialli.it", address_city: "Bologna" },
      ],
    ],
    [1000002, [{ id: 64321, name: "Studio Neri", vat_number: "IT02345678901", email: "studio@neri.it", address_city: "Roma" }]],
  ]);
  const tokens = new Map<string, TokenInfo>();
  const codes = new Map<string, { redirectUri: string; used: boolean }>();
  const documents = new Map<number, FakeDocument>();
  const pdfs = new Map<string, number>();
  const numbering = new Map<string, number>();
  const kit = createFakeKit({
    errorBody: (code) => ({
      error: {
        code: code.toUpperCase(),
        message:
          code === "invalid_auth" ? "Unauthorized: the access token is not valid." : code === "ratelimited" ? "Too many requests." : "Internal server error.",
      },
    }),
  });
  let counter = 0;
  let nextDocumentId = 312_000_000;
  let nextPaymentId = 90_000;
  let baseUrl = "";

  const newToken = (prefix: string) => `${prefix}/fake${++counter}.${randomBytes(12).toString("hex")}`;
  function issuePair(userId: number) {
    const access = newToken("a");
    const refresh = newToken("r");
    tokens.set(access, { kind: "access", revoked: false, expiresAt: Date.now() + settings.expiresIn * 1000, userId });
    tokens.set(refresh, { kind: "refresh", revoked: false, expiresAt: null, pair: access, userId });
    return { access, refresh };
  }

  type Answer = { status: number; body: unknown; headers?: Record<string, string> };
  const ok = (body: unknown, status = 200): Answer => ({ status, body });
  const apiError = (status: number, code: string, message: string, validation?: Record<string, string[]>): Answer => ({
    status,
    body: { error: { code, message, ...(validation ? { validation_result: validation } : {}) } },
  });
  const providerErrors: Record<string, Answer> = {
    license_expired: apiError(403, "LICENSE_EXPIRED", "License expired."),
    no_permission: apiError(403, "NO_PERMISSION", "You do not have the permission to access this resource."),
    quota_exceeded: apiError(403, "QUOTA_EXCEEDED", "The monthly quota of requests is exhausted."),
    payments_mismatch: apiError(422, "VALIDATION_ERROR", "Il totale dei pagamenti non corrisponde al totale da pagare", {
      payments_list: ["Il totale dei pagamenti non corrisponde al totale da pagare"],
    }),
  };

  function oauthToken(params: Record<string, unknown>, basic: { id: string; secret: string } | null): Answer {
    const id = params.client_id ?? basic?.id;
    const secret = params.client_secret ?? basic?.secret;
    if (id !== clientId || secret !== clientSecret)
      return { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed" } };
    if (params.grant_type === "refresh_token") {
      const info = typeof params.refresh_token === "string" ? tokens.get(params.refresh_token) : undefined;
      if (!info || info.kind !== "refresh" || info.revoked)
        return { status: 400, body: { error: "invalid_grant", error_description: "The refresh token is invalid." } };
      info.revoked = true;
      if (info.pair) tokens.delete(info.pair);
      const pair = issuePair(info.userId);
      return ok({ token_type: "bearer", access_token: pair.access, refresh_token: pair.refresh, expires_in: settings.expiresIn });
    }
    if (params.grant_type !== "authorization_code") return { status: 400, body: { error: "unsupported_grant_type", error_description: "grant_type" } };
    const code = typeof params.code === "string" ? codes.get(params.code) : undefined;
    if (!code || code.used) return { status: 400, body: { error: "invalid_grant", error_description: "The authorization code is invalid or was used." } };
    if (params.redirect_uri !== code.redirectUri) return { status: 400, body: { error: "invalid_grant", error_description: "redirect_uri does not match" } };
    code.used = true;
    const pair = issuePair(user.id);
    return ok({ token_type: "bearer", access_token: pair.access, refresh_token: pair.refresh, expires_in: settings.expiresIn });
  }

  function authed(token: string | null): Answer | null {
    const info = token ? tokens.get(token) : undefined;
    if (!info || info.kind !== "access" || info.revoked || (info.expiresAt !== null && info.expiresAt < Date.now()))
      return apiError(401, "UNAUTHORIZED", "Unauthorized: the access token is not valid or expired.");
    return null;
  }

  function totals(data: Record<string, unknown>) {
    const items = Array.isArray(data.items_list) ? (data.items_list as Record<string, unknown>[]) : [];
    const gross = data.use_gross_prices === true;
    const lines: Item[] = [];
    const problems: Record<string, string[]> = {};
    items.forEach((raw, i) => {
      const vatId = (raw.vat as { id?: unknown } | undefined)?.id;
      const vat = vatTypes.find((v) => v.id === vatId);
      if (!vat) problems[`items_list.${i}.vat.id`] = ["Aliquota IVA non valida"];
      const qty = typeof raw.qty === "number" ? raw.qty : 1;
      const price = Number(gross ? raw.gross_price : raw.net_price);
      if (!Number.isFinite(price)) problems[`items_list.${i}.${gross ? "gross_price" : "net_price"}`] = ["Il prezzo è obbligatorio"];
      if (typeof raw.name !== "string" || !raw.name) problems[`items_list.${i}.name`] = ["Il nome è obbligatorio"];
      const rate = vat?.value ?? 0;
      const net = gross ? round2(price / (1 + rate / 100)) : price;
      lines.push({
        name: String(raw.name ?? ""),
        qty,
        net_price: net,
        gross_price: round2(net * (1 + rate / 100)),
        vat: vat ?? { id: -1, value: 0, description: "?" },
      });
    });
    if (!items.length) problems.items_list = ["Il documento deve avere almeno un articolo"];
    const amountNet = round2(lines.reduce((sum, l) => sum + l.qty * l.net_price, 0));
    const amountVat = round2(lines.reduce((sum, l) => sum + round2(l.qty * l.net_price * (l.vat.value / 100)), 0));
    return {
      lines,
      problems,
      amount_net: amountNet,
      amount_vat: amountVat,
      amount_gross: round2(amountNet + amountVat),
      amount_due: round2(amountNet + amountVat),
    };
  }

  const documentBody = (d: FakeDocument) => {
    const { companyId: _company, emails: _emails, ...rest } = d;
    return rest;
  };

  function paymentsFrom(raw: unknown, due: number, fix: boolean, date: string, previous: Payment[] = []): Payment[] | Answer {
    const list = Array.isArray(raw) ? (raw as Record<string, unknown>[]) : [];
    const payments: Payment[] = list.map((p) => {
      const existing = previous.find((x) => x.id === p.id);
      return {
        id: existing?.id ?? ++nextPaymentId,
        amount: round2(Number(p.amount ?? existing?.amount ?? 0)),
        due_date: String(p.due_date ?? existing?.due_date ?? date),
        status: (p.status as Payment["status"]) ?? existing?.status ?? "not_paid",
        paid_date: p.paid_date === undefined ? (existing?.paid_date ?? null) : (p.paid_date as string | null),
        payment_account: p.payment_account === undefined ? (existing?.payment_account ?? null) : (p.payment_account as Payment["payment_account"]),
      };
    });
    for (const [i, p] of payments.entries()) {
      if (p.status === "paid" && (!p.paid_date || !p.payment_account))
        return apiError(422, "VALIDATION_ERROR", "Un pagamento saldato richiede data e conto", {
          [`payments_list.${i}.payment_account`]: ["Il conto di saldo è obbligatorio per un pagamento saldato"],
        });
      if (p.payment_account && !paymentAccounts.some((a) => a.id === p.payment_account!.id))
        return apiError(422, "VALIDATION_ERROR", "Conto non valido", { [`payments_list.${i}.payment_account.id`]: ["Il conto non esiste"] });
    }
    if (fix) {
      if (!payments.length) payments.push({ id: ++nextPaymentId, amount: due, due_date: date, status: "not_paid", paid_date: null, payment_account: null });
      const others = round2(payments.slice(0, -1).reduce((s, p) => s + p.amount, 0));
      payments[payments.length - 1]!.amount = round2(due - others);
    }
    const sum = round2(payments.reduce((s, p) => s + p.amount, 0));
    if (payments.length && sum !== due) return providerErrors.payments_mismatch!;
    return payments;
  }

  function company(cid: number): Answer | null {
    return companies.some((c) => c.id === cid) ? null : apiError(403, "NO_PERMISSION", "You do not have access to this company.");
  }

  /** The subset of the `q` filter language the fake understands: `field op 'value'` joined by "and". */
  function matches(d: FakeDocument, q: string): boolean {
    return q.split(/\s+and\s+/i).every((clause) => {
      const m = /^\s*([a-z_.]+)\s*(=|!=|>=|<=|>|<|like)\s*'((?:[^']|'')*)'\s*$/i.exec(clause);
      if (!m) return false;
      const [, field, op, rawValue] = m as unknown as [string, string, string, string];
      const value = rawValue.replace(/''/g, "'");
      const actual = field === "entity.name" ? String(d.entity.name ?? "") : String((d as unknown as Record<string, unknown>)[field] ?? "");
      switch (op.toLowerCase()) {
        case "=":
          return actual === value;
        case "!=":
          return actual !== value;
        case ">=":
          return actual >= value;
        case "<=":
          return actual <= value;
        case ">":
          return actual > value;
        case "<":
          return actual < value;
        default:
          return new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*")}$`, "i").test(actual);
      }
    });
  }

  function api(method: string, request: { verb: string; cid: number; id: number; query: URLSearchParams; body: Record<string, unknown> }): Answer {
    const { cid, id, query, body } = request;
    switch (method) {
      case "getUserInfo":
        return ok({ data: user, info: {}, email_confirmed: true });
      case "listUserCompanies":
        return ok({
          data: {
            companies: companies.map((c) => ({
              ...c,
              access_token: null,
              controlled_companies: [],
              fic_license_expire: "2027-12-31",
              fic_plan: "premium",
              connection_id: 1,
            })),
          },
        });
    }
    const denied = company(cid);
    if (denied) return denied;
    const doc = documents.get(id);
    const own = doc && doc.companyId === cid ? doc : undefined;
    const data = (body.data ?? {}) as Record<string, unknown>;
    switch (method) {
      case "listVatTypes":
        return ok({ data: vatTypes.map((v) => ({ ...v, notes: "", e_invoice: true, editable: false, is_disabled: false })) });
      case "listPaymentMethods":
        return ok({ data: paymentMethods });
      case "listPaymentAccounts":
        return ok({ data: paymentAccounts });
      case "listClients": {
        const q = (query.get("q") ?? "").toLowerCase();
        const needle = /like\s*'%(.*)%'/.exec(q)?.[1] ?? "";
        const all = (clients.get(cid) ?? []).filter((c) => !needle || String(c.name).toLowerCase().includes(needle));
        const per = Number(query.get("per_page") ?? 5);
        const current = Number(query.get("page") ?? 1);
        return ok({
          data: all.slice((current - 1) * per, current * per),
          current_page: current,
          last_page: Math.max(1, Math.ceil(all.length / per)),
          per_page: per,
          total: all.length,
        });
      }
      case "getIssuedDocumentPreCreateInfo":
        return ok({
          data: {
            numerations: { [new Date().getFullYear()]: { "": 1, "/A": 1 } },
            vat_types_list: vatTypes,
            payment_methods_list: paymentMethods,
            payment_accounts_list: paymentAccounts,
            default_values: { payment_method: paymentMethods[0] },
          },
        });
      case "getNewIssuedDocumentTotals": {
        const t = totals(data);
        if (Object.keys(t.problems).length) return apiError(422, "VALIDATION_ERROR", "Dati non validi", t.problems);
        return ok({ data: { amount_net: t.amount_net, amount_vat: t.amount_vat, amount_gross: t.amount_gross, amount_due: t.amount_due, payments_sum: 0 } });
      }
      case "createIssuedDocument": {
        const t = totals(data);
        const problems = { ...t.problems };
        const entity = (data.entity ?? {}) as Record<string, unknown>;
        if (data.type !== "invoice" && data.type !== "proforma" && data.type !== "quote") problems.type = ["Il tipo di documento non è valido"];
        if (!entity.id && !entity.name) problems["entity.name"] = ["Il nome del cliente è obbligatorio"];
        if (entity.id && !(clients.get(cid) ?? []).some((c) => c.id === entity.id)) problems["entity.id"] = ["Il cliente non esiste"];
        if (Object.keys(problems).length) return apiError(422, "VALIDATION_ERROR", "Dati non validi", problems);
        const date = typeof data.date === "string" && data.date ? data.date : today();
        const payments = paymentsFrom(data.payments_list, t.amount_due, (body.options as { fix_payments?: boolean } | undefined)?.fix_payments === true, date);
        if (!Array.isArray(payments)) return payments;
        const numeration = typeof data.numeration === "string" ? data.numeration : "";
        const key = `${cid}:${data.type}:${date.slice(0, 4)}:${numeration}`;
        const number = typeof data.number === "number" ? data.number : (numbering.get(key) ?? 0) + 1;
        numbering.set(key, Math.max(number, numbering.get(key) ?? 0));
        const known = entity.id ? (clients.get(cid) ?? []).find((c) => c.id === entity.id) : undefined;
        const token = randomBytes(16).toString("hex");
        const created: FakeDocument = {
          id: ++nextDocumentId,
          companyId: cid,
          type: String(data.type),
          number,
          numeration,
          date,
          entity: { ...known, ...entity },
          subject: String(data.subject ?? ""),
          visible_subject: String(data.visible_subject ?? ""),
          notes: String(data.notes ?? ""),
          items_list: t.lines,
          payments_list: payments,
          amount_net: t.amount_net,
          amount_vat: t.amount_vat,
          amount_gross: t.amount_gross,
          url: `${baseUrl}/pdf/${token}`,
          emails: [],
        };
        documents.set(created.id, created);
        pdfs.set(token, created.id);
        return ok({ data: documentBody(created) });
      }
      case "getIssuedDocument":
        return own ? ok({ data: documentBody(own) }) : apiError(404, "NOT_FOUND", "Documento non trovato");
      case "modifyIssuedDocument": {
        if (!own) return apiError(404, "NOT_FOUND", "Documento non trovato");
        if (data.payments_list !== undefined) {
          const payments = paymentsFrom(data.payments_list, own.amount_gross, false, own.date, own.payments_list);
          if (!Array.isArray(payments)) return payments;
          own.payments_list = payments;
        }
        for (const field of ["subject", "visible_subject", "notes"] as const) if (typeof data[field] === "string") own[field] = data[field] as string;
        return ok({ data: documentBody(own) });
      }
      case "deleteIssuedDocument":
        if (!own) return apiError(404, "NOT_FOUND", "Documento non trovato");
        documents.delete(own.id);
        return { status: 200, body: null };
      case "listIssuedDocuments": {
        const type = query.get("type");
        if (!type) return apiError(422, "VALIDATION_ERROR", "type è obbligatorio", { type: ["type è obbligatorio"] });
        const q = query.get("q") ?? "";
        const sort = query.get("sort") ?? "-date";
        const all = [...documents.values()].filter((d) => d.companyId === cid && d.type === type && (!q || matches(d, q)));
        const field = sort.replace(/^-/, "") as keyof FakeDocument;
        all.sort(
          (a, b) => (String(a[field]) < String(b[field]) ? -1 : String(a[field]) > String(b[field]) ? 1 : a.id - b.id) * (sort.startsWith("-") ? -1 : 1),
        );
        const per = Math.min(Number(query.get("per_page") ?? 5) || 5, 100);
        const current = Math.max(Number(query.get("page") ?? 1) || 1, 1);
        const last = Math.max(1, Math.ceil(all.length / per));
        return ok({
          data: all.slice((current - 1) * per, current * per).map(documentBody),
          current_page: current,
          last_page: last,
          per_page: per,
          total: all.length,
          from: (current - 1) * per + 1,
          to: Math.min(current * per, all.length),
          next_page_url: current < last ? `${baseUrl}/c/${cid}/issued_documents?type=${type}&page=${current + 1}` : null,
        });
      }
      case "getEmailData":
        return own
          ? ok({
              data: {
                default_sender_email: { id: 1, email: "no-reply@fattureincloud.it" },
                recipient_email: String(own.entity.email ?? ""),
                subject: `Fattura n. ${own.number}`,
                body: "Gentile cliente, {{allegati}}",
              },
            })
          : apiError(404, "NOT_FOUND", "Documento non trovato");
      case "scheduleEmail": {
        if (!own) return apiError(404, "NOT_FOUND", "Documento non trovato");
        const recipient = String(data.recipient_email ?? "");
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(recipient))
          return apiError(422, "VALIDATION_ERROR", "Dati non validi", { recipient_email: ["L'indirizzo email non è valido"] });
        own.emails.push({
          recipient_email: recipient,
          subject: String(data.subject ?? ""),
          body: String(data.body ?? ""),
          attach_pdf: data.attach_pdf === true,
        });
        return { status: 200, body: null };
      }
      default:
        return apiError(404, "NOT_FOUND", `Unknown method ${method}`);
    }
  }

  /** The SDK method a request is, from its verb and path. */
  function route(verb: string, path: string): { method: string; cid: number; id: number } | null {
    if (verb === "GET" && path === "/user/info") return { method: "getUserInfo", cid: 0, id: 0 };
    if (verb === "GET" && path === "/user/companies") return { method: "listUserCompanies", cid: 0, id: 0 };
    const m = /^\/c\/(\d+)\/(.+)$/.exec(path);
    if (!m) return null;
    const cid = Number(m[1]);
    const rest = m[2]!;
    const table: [string, RegExp, string][] = [
      ["GET", /^info\/vat_types$/, "listVatTypes"],
      ["GET", /^settings\/payment_methods$|^info\/payment_methods$/, "listPaymentMethods"],
      ["GET", /^settings\/payment_accounts$|^info\/payment_accounts$/, "listPaymentAccounts"],
      ["GET", /^entities\/clients$/, "listClients"],
      ["GET", /^issued_documents\/info$/, "getIssuedDocumentPreCreateInfo"],
      ["POST", /^issued_documents\/totals$/, "getNewIssuedDocumentTotals"],
      ["POST", /^issued_documents$/, "createIssuedDocument"],
      ["GET", /^issued_documents$/, "listIssuedDocuments"],
      ["GET", /^issued_documents\/(\d+)$/, "getIssuedDocument"],
      ["PUT", /^issued_documents\/(\d+)$/, "modifyIssuedDocument"],
      ["DELETE", /^issued_documents\/(\d+)$/, "deleteIssuedDocument"],
      ["GET", /^issued_documents\/(\d+)\/email$/, "getEmailData"],
      ["POST", /^issued_documents\/(\d+)\/email$/, "scheduleEmail"],
    ];
    for (const [v, pattern, method] of table) {
      const hit = v === verb ? pattern.exec(rest) : null;
      if (hit) return { method, cid, id: Number(hit[1] ?? 0) };
    }
    return null;
  }

  function parseBody(request: http.IncomingMessage, raw: Buffer): Record<string, unknown> {
    if (!raw.length) return {};
    const type = request.headers["content-type"] ?? "";
    if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
    try {
      return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  const served = await serveFake(
    kit,
    {
      name: "fake Fatture in Cloud",
      port: options.port,
      host: options.host,
      portHint: options.portHint,
      crashBody: (message) => ({ error: { code: "FAKE_CRASHED", message } }),
    },
    async ({ request, response, url, raw, send }) => {
      const verb = request.method ?? "GET";
      if (verb === "GET" && url.pathname === "/health") return send(200, JSON.stringify({ ok: true }));
      if (verb === "GET" && url.pathname === "/oauth/authorize") {
        const q = Object.fromEntries(url.searchParams);
        if (q.client_id !== clientId)
          return send(400, page("Fatture in Cloud", "<h1>App sconosciuta</h1><p>client_id non valido.</p>"), { "content-type": "text/html; charset=utf-8" });
        const hidden = hiddenInputs(q, ["client_id", "redirect_uri", "state", "scope"]);
        const scopes = scopeItems(q.scope, " ");
        return send(
          200,
          page(
            "Fake Fatture in Cloud: autorizza l'accesso",
            `<h1>Flowline chiede di accedere al tuo account Fatture in Cloud (${escapeHtml(user.name)})</h1>
<p>Potrà:</p><ul>${scopes}</ul>
<form method="get" action="/oauth/approve">${hidden}
<button class="allow" name="decision" value="allow" type="submit">Autorizza</button>
<button name="decision" value="deny" type="submit">Annulla</button></form>
<p class="note">This is the local fake Fatture in Cloud (fakes/fattureincloud), not fattureincloud.it.</p>`,
          ),
          { "content-type": "text/html; charset=utf-8" },
        );
      }
      if (verb === "GET" && url.pathname === "/oauth/approve") {
        const q = Object.fromEntries(url.searchParams);
        const target = new URL(q.redirect_uri ?? "");
        if (q.decision === "allow") {
          const code = `fake-fic-code-${++counter}-${randomBytes(4).toString("hex")}`;
          codes.set(code, { redirectUri: q.redirect_uri ?? "", used: false });
          target.searchParams.set("code", code);
        } else target.searchParams.set("error", "access_denied");
        target.searchParams.set("state", q.state ?? "");
        response.writeHead(302, { location: target.toString() });
        return response.end();
      }
      if (verb === "GET" && url.pathname.startsWith("/pdf/")) {
        const documentId = pdfs.get(url.pathname.slice("/pdf/".length));
        const doc = documentId ? documents.get(documentId) : undefined;
        if (!doc) return send(404, "not found", { "content-type": "text/plain" });
        const pdf = Buffer.from(`%PDF-1.4\n% Fattura ${doc.number}${doc.numeration} ${doc.entity.name}\n%%EOF\n`);
        response.writeHead(200, { "content-type": "application/pdf", "content-length": String(pdf.length) });
        return response.end(pdf);
      }
      const header = request.headers.authorization ?? "";
      const token = header.startsWith("Bearer ") ? header.slice(7) : null;
      const body = parseBody(request, raw);
      if (verb === "POST" && url.pathname === "/oauth/token") {
        const basicRaw = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8").split(":") : null;
        kit.record({ method: "oauth.token", params: Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])), token: null });
        const fault = kit.take("oauth.token");
        if (await kit.play(fault, send)) return;
        const answer = oauthToken(
          body,
          basicRaw ? { id: decodeURIComponent(basicRaw[0] ?? ""), secret: decodeURIComponent(basicRaw.slice(1).join(":")) } : null,
        );
        return send(answer.status, JSON.stringify(answer.body));
      }
      const target = route(verb, url.pathname);
      if (!target) return send(404, JSON.stringify({ error: { code: "NOT_FOUND", message: `No route ${verb} ${url.pathname}` } }));
      kit.record({
        method: target.method,
        params: {
          ...Object.fromEntries(url.searchParams),
          ...(target.cid ? { company_id: String(target.cid) } : {}),
          ...(target.id ? { document_id: String(target.id) } : {}),
          ...(raw.length ? { body: raw.toString("utf8") } : {}),
        },
        token,
      });
      const fault = kit.take(target.method);
      if (await kit.play(fault, send)) return;
      const denied = authed(token);
      if (denied) return send(denied.status, JSON.stringify(denied.body));
      if (fault?.type === "error") {
        const answer = providerErrors[fault.error] ?? apiError(400, fault.error.toUpperCase(), fault.error);
        return send(answer.status, JSON.stringify(answer.body));
      }
      const answer = api(target.method, { verb, cid: target.cid, id: target.id, query: url.searchParams, body });
      return answer.body === null ? send(answer.status, "") : send(answer.status, JSON.stringify(answer.body), answer.headers);
    },
  );
  baseUrl = served.url;
  const port = served.port;

  return {
    url: baseUrl,
    /** For FATTUREINCLOUD_API_URL (the SDK's basePath). */
    apiUrl: baseUrl,
    port,
    clientId,
    clientSecret,
    user,
    companies,
    documents,
    settings,
    calls: kit.calls,
    callsTo: kit.callsTo,
    fail: kit.fail,
    /** A valid access token, as a self-hoster would copy from the developer console ("token manuale"). */
    issueToken(): string {
      const token = newToken("a");
      tokens.set(token, { kind: "access", revoked: false, expiresAt: null, userId: user.id });
      return token;
    },
    /** Makes an access token expire now. */
    expire(token: string) {
      const info = tokens.get(token);
      if (info) info.expiresAt = Date.now() - 1;
    },
    reset: kit.reset,
    close: served.close,
  };
}
