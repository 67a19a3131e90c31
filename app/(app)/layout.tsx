import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { pageCaller } from "@/lib/auth/session";
import { companiesOf } from "@/lib/companies/members";
import { getDb } from "@/lib/db";
import { MobileNav } from "@/components/shell/mobile-nav";
import { Sidebar } from "@/components/shell/sidebar";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const caller = await pageCaller();
  // Pages are for people; only API keys have no user, and they never reach a page.
  if (!caller.userId) redirect("/signin");
  const db = await getDb();
  const [companies, user] = await Promise.all([
    companiesOf(db, caller.userId),
    db.user.findUnique({ where: { id: caller.userId }, select: { email: true, name: true } }),
  ]);
  if (!user) redirect("/signin");

  const sidebar = <Sidebar companies={companies} currentCompanyId={caller.companyId} user={user} />;
  return (
    <div className="min-h-dvh md:flex">
      <a
        href="#main"
        className="sr-only rounded-md border bg-background px-3 py-2 text-sm font-medium shadow-md focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50"
      >
        Skip to content
      </a>
      {/* The column carries the border and colour down the whole page; the sidebar in it stays in view. */}
      <div className="hidden w-64 shrink-0 border-r bg-sidebar md:block">
        <aside className="sticky top-0 h-dvh">{sidebar}</aside>
      </div>
      <MobileNav>{sidebar}</MobileNav>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-8 md:py-10">
        <div className="mx-auto max-w-5xl">{children}</div>
      </main>
    </div>
  );
}
