import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type paths, unwrap } from "../../api";

/** The recipient's cars (docs/in-car-delivery.md), read and changed through the typed client only. */

export type Car = paths["/v1/cars"]["get"]["responses"]["200"]["content"]["application/json"]["cars"][number];
export type CarChange = NonNullable<paths["/v1/cars/{id}"]["patch"]["requestBody"]>["content"]["application/json"];

export const carKeys = { all: ["recipient", "cars"] as const };

export function useCars(refetchInterval?: number) {
  return useQuery({
    queryKey: carKeys.all,
    queryFn: async () => unwrap(await api.GET("/v1/cars")).cars,
    refetchInterval,
  });
}

/** Writes the server's answer for one car into the cached list, so the card shows it at once. */
function useCarUpdate<V>(call: (variables: V) => Promise<Car>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (car) =>
      queryClient.setQueryData<Car[]>(carKeys.all, (cars) => cars?.map((c) => (c.id === car.id ? car : c))),
    onSettled: () => queryClient.invalidateQueries({ queryKey: carKeys.all }),
  });
}

export function useChangeCar(carId: string) {
  return useCarUpdate(async (body: CarChange) =>
    unwrap(await api.PATCH("/v1/cars/{id}", { params: { path: { id: carId } }, body })),
  );
}

export function useBlockCar(carId: string) {
  return useCarUpdate(async (blocked: boolean) =>
    unwrap(
      await api.POST(blocked ? "/v1/cars/{id}/block" : "/v1/cars/{id}/unblock", { params: { path: { id: carId } } }),
    ),
  );
}
