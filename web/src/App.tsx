// The app: who is signed in, which page the path names, and the frame around it.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, onUnauthenticated } from "./api";
import { Layout } from "./components/Layout";
import { Loading, Page } from "./components/common";
import { Account } from "./pages/Account";
import { Join } from "./pages/Join";
import { Login } from "./pages/Login";
import { adminRoutes } from "./pages/admin";
import { clientRoutes } from "./pages/client";
import { supervisorRoutes } from "./pages/supervisor";
import { therapistRoutes } from "./pages/therapist";
import { match, navigate, usePath } from "./router";
import type { RouteDef } from "./routes";
import { homeOf, SessionContext } from "./session";
import type { Me } from "./types";

const routes: RouteDef[] = [
  ...clientRoutes,
  ...therapistRoutes,
  ...supervisorRoutes,
  ...adminRoutes,
  { pattern: "/account", roles: ["client", "therapist", "supervisor", "admin"], view: () => <Account /> },
];

export function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);

  useEffect(() => {
    api
      .get<Me>("/api/v1/me")
      .then(setMe, (e: ApiError) => (e.status === 401 ? setMe(null) : undefined))
      .finally(() => setChecked(true));
    return onUnauthenticated(() => {
      setMe(null);
      // Signing in and joining are open to everyone: nothing to redirect there.
      if (location.pathname === "/login" || location.pathname === "/join") return;
      navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true);
    });
  }, []);

  if (!checked) return <Loading />;
  if (path === "/join") return <SessionContext.Provider value={{ me, setMe }}>{<Join />}</SessionContext.Provider>;
  if (!me || path === "/login") {
    if (me && path === "/login") {
      navigate(homeOf(me), true);
      return null;
    }
    if (path !== "/login") {
      navigate(path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`, true);
      return null;
    }
    return (
      <SessionContext.Provider value={{ me, setMe }}>
        <Login />
      </SessionContext.Provider>
    );
  }
  if (path === "/") {
    navigate(homeOf(me), true);
    return null;
  }
  let view = null;
  for (const route of routes) {
    const params = match(route.pattern, path);
    if (!params) continue;
    view = route.roles.includes(me.role) ? (
      route.view(params)
    ) : (
      <Page title="Not open to you">
        <p>This page is for another kind of account. <a href={homeOf(me)}>Go to your start page</a>.</p>
      </Page>
    );
    break;
  }
  return (
    <SessionContext.Provider value={{ me, setMe }}>
      <Layout path={path}>
        {view ?? (
          <Page title="Nothing here">
            <p>
              We could not find this page. <a href={homeOf(me)}>Go to your start page</a>.
            </p>
          </Page>
        )}
      </Layout>
    </SessionContext.Provider>
  );
}
