// The frame around every signed-in page: a skip link, the practice's name, the places
// the role can go, and sign-out.
import type { ComponentChildren } from "preact";
import { navigate } from "../router";
import { signOut, useSession } from "../session";
import type { Role } from "../types";

const places: Record<Role, { href: string; label: string }[]> = {
  client: [
    { href: "/check-in", label: "Check-in" },
    { href: "/journey", label: "My journey" },
  ],
  therapist: [
    { href: "/caseload", label: "Caseload" },
    { href: "/clients/new", label: "New client" },
    { href: "/reflections", label: "Reflections" },
  ],
  supervisor: [{ href: "/supervision", label: "Supervision" }],
  admin: [
    { href: "/admin", label: "Service" },
    { href: "/admin/users", label: "People" },
    { href: "/admin/instruments", label: "Questionnaires" },
    { href: "/admin/audit", label: "Audit log" },
  ],
};

export function Layout({ path, children }: { path: string; children: ComponentChildren }) {
  const { me, setMe } = useSession();
  if (!me) return <>{children}</>;
  const links = [...places[me.role], { href: "/account", label: "Account" }];
  const leave = async () => {
    await signOut().catch(() => undefined);
    setMe(null);
    navigate("/login", true);
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to the page
      </a>
      <header class="top">
        <a class="brand" href={links[0].href}>
          Tandem
        </a>
        <nav aria-label="Main">
          <ul>
            {links.map((link) => (
              <li key={link.href}>
                <a href={link.href} aria-current={path === link.href ? "page" : undefined}>
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="quiet">{me.display_name}</span>
          <button type="button" class="link" onClick={leave}>
            Sign out
          </button>
        </div>
      </header>
      {children}
    </>
  );
}
