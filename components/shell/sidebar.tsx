import { FileText, Play, Settings, Workflow } from "lucide-react";
import type { CompanyChoice } from "@/lib/companies/members";
import { Brand } from "@/components/brand";
import { CompanySwitcher } from "@/components/shell/company-switcher";
import { NavLink } from "@/components/shell/nav-link";
import { UserMenu } from "@/components/shell/user-menu";

const links = [
  { href: "/workflows", label: "Workflows", icon: Workflow },
  { href: "/runs", label: "Runs", icon: Play },
  { href: "/documents", label: "Documents", icon: FileText },
  { href: "/settings", label: "Settings", icon: Settings },
];

type SidebarProps = {
  companies: CompanyChoice[];
  currentCompanyId: string;
  user: { email: string; name: string | null };
};

/** Company switcher, main navigation and account menu: the desktop sidebar and the mobile sheet. */
export function Sidebar({ companies, currentCompanyId, user }: SidebarProps) {
  return (
    <div className="flex h-full flex-col gap-5 p-3">
      <Brand className="px-2 pt-2" />
      <CompanySwitcher companies={companies} currentId={currentCompanyId} />
      <nav aria-label="Main">
        <ul className="grid gap-0.5">
          {links.map(({ href, label, icon: Icon }) => (
            <li key={href}>
              <NavLink href={href} variant="sidebar">
                <Icon aria-hidden />
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="mt-auto border-t pt-3">
        <UserMenu email={user.email} name={user.name} />
      </div>
    </div>
  );
}
