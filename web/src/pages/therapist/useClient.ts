// The client and the episode a page works on: the open one, else the latest.
import { api } from "../../api";
import { useLoad, type Loaded } from "../../hooks";
import type { Client, Episode } from "../../types";
import { defaultEpisode } from "./record";

export interface ClientEpisode {
  client: Client;
  episode: Episode | null;
}

export function useClientEpisode(id: string): Loaded<ClientEpisode> {
  return useLoad(async () => {
    const [client, episodes] = await Promise.all([
      api.get<Client>(`/api/v1/clients/${id}`),
      api.get<{ items: Episode[] }>(`/api/v1/clients/${id}/episodes`),
    ]);
    return { client, episode: defaultEpisode(episodes.items) };
  }, [id]);
}
