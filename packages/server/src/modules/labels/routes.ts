import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import type { AppContext } from "../../context.js";
import { requireCarrierScope } from "../../http/actor.js";
import { errorResponses } from "../../http/error-schema.js";
import { SESSION_OR_API_KEY } from "../auth/security.js";
import { ShipmentParams } from "../shipments/schemas.js";
import { loadLabelContent } from "./content.js";
import { layoutLabel } from "./layout.js";
import { renderLabelPdf } from "./render-pdf.js";
import { renderLabelPng } from "./render-png.js";

export const LABEL_FORMATS = ["pdf", "png"] as const;

const LabelQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(LABEL_FORMATS, {
        default: "pdf",
        description: "pdf (default): a 4×6 inch page in vectors. png: the same label as a 203 dpi image.",
      }),
    ),
  },
  { additionalProperties: false },
);

const Binary = (description: string) => ({ schema: { type: "string", format: "binary", description } });

/** Shipping labels: the carrier prints them, so only the shipment's carrier may fetch one. */
export async function labelRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/shipments/:id/label",
    {
      schema: {
        tags: ["shipments"],
        summary:
          "A shipment's 4×6 inch shipping label, as PDF or PNG (its carrier: admins, API keys with shipments:read)",
        description:
          "Code 128 and QR of the tracking number, the ship-to block (recipient, address, site), method, delivery window in the site's zone and carrier. Both formats carry the whole label: PNG for thermal printers and previews, PDF for office printers. 400 invalid_request for a format other than pdf or png; 403 for people who are not carrier admins and keys without shipments:read; 404 for a shipment of another carrier.",
        security: SESSION_OR_API_KEY,
        params: ShipmentParams,
        querystring: LabelQuery,
        response: {
          200: {
            description: "The label.",
            content: { "application/pdf": Binary("PDF label."), "image/png": Binary("PNG label.") },
          },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { carrierId } = requireCarrierScope(request, "shipments:read");
      const content = await loadLabelContent(ctx.db, carrierId, request.params.id);
      const format = request.query.format ?? "pdf";
      const ops = layoutLabel(content);
      const body =
        format === "png"
          ? renderLabelPng(ops)
          : Buffer.from(await renderLabelPdf(ops, `Label ${content.trackingNumber}`));
      // Tracking numbers are letters, digits and hyphens: safe in a quoted file name as they are.
      return reply
        .header("content-type", format === "png" ? "image/png" : "application/pdf")
        .header("content-disposition", `inline; filename="label-${content.trackingNumber}.${format}"`)
        .header("cache-control", "private, no-store")
        .send(body);
    },
  );
}
