/**
 * Model cards in the catalog: the models a data product serves (its descriptor's `models`), what they
 * were trained on, their held-out figures next to the product's rule-based flags on the same split, and
 * the last results of their quality rules (measured by the owning subgraph on its own tables).
 *
 * Guarantees: only what the descriptor and the last quality run say; the status is fetched through the
 * request's one status fetch per product. Must never: load a model or read a product's data.
 */
import { parse } from 'graphql';
import type { ModelCard } from '../../../subgraphs/lib/descriptor';
import type { QualityResult } from '../../../subgraphs/lib/quality';

export const modelCardTypeDefs = parse(/* GraphQL */ `
  "A model a data product serves, as its model card (the descriptor's models) describes it."
  type DataProductModel {
    "The model's name, as its quality rules name it."
    name: String!
    "Its version: changes whenever the model does."
    version: String!
    "When it was trained."
    trainedAt: DateTime!
    "The kind of model and the library that runs it."
    algorithm: String!
    "The model file, in the product's folder of the repository."
    file: String!
    "Its inputs, in order, all computed by the product from its own data."
    features: [String!]!
    "Scores at or above it are served as flagged; its quality rules measure there."
    threshold: Float!
    "What it was trained on, in one sentence."
    training: String!
    "Figures measured on the held-out split when it was trained: the model's, then the product's rule-based flags' on the same transactions."
    heldOut: [DataProductFigure!]!
    "The last results of its quality rules, measured now on the product's tables; empty before the first run."
    qualityRules: [DataProductQualityResult!]!
  }

  "One named figure, for example a precision from 0 to 1."
  type DataProductFigure {
    "What was measured."
    name: String!
    "The value."
    value: Float!
  }
`);

/** The object types above, for the catalog's policy (readable by any authenticated principal, like the rest). */
export const MODEL_CARD_TYPES = ['DataProductModel', 'DataProductFigure'];

export type ModelCardView = ModelCard & { qualityRules: QualityResult[] };

/** The card's held-out figures: the model's, then the rule-based flags' on the same split. */
export function heldOutFigures(card: ModelCard) {
  const { model, rules } = card.heldOut;
  return [
    { name: 'model precision', value: model.precision },
    { name: 'model recall', value: model.recall },
    { name: 'model F1', value: model.f1 },
    { name: 'rule-based flags precision', value: rules.precision },
    { name: 'rule-based flags recall', value: rules.recall },
    { name: 'rule-based flags F1', value: rules.f1 },
  ];
}

/** The product's model cards with the last results of the quality rules that name each model. */
export function modelCardsOf(models: ModelCard[], rules: { name: string; model?: string }[], lastResults: QualityResult[] | null): ModelCardView[] {
  return models.map((card) => {
    const names = new Set(rules.filter((rule) => rule.model === card.name).map((rule) => rule.name));
    return { ...card, qualityRules: (lastResults ?? []).filter((result) => names.has(result.rule)) };
  });
}

export const modelCardResolvers = {
  DataProductModel: {
    training: (card: ModelCardView) =>
      `${card.training.transactions} transactions (${card.training.frauds} labeled fraud, ${card.training.negativesKept} others kept) of seed ${card.training.seed} at scale ${card.training.scale}; ${card.training.split}`,
    heldOut: (card: ModelCardView) => heldOutFigures(card),
  },
};
