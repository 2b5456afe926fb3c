// The generators: state-aware op sequences for the random runner and the kernel harness.
export { runs, opSequences, scenarioRuns, interpret, interpretScenario, generatedArbitrary, resolveOptions, applyIntent, bootChoice, intentArbitrary, DEFAULT_BOOTS, type GenOptions, type Generated, type Intent } from './runs.ts';
export { INTENTS, INTENT_KINDS, DEFAULT_WEIGHTS, type IntentKind, type IntentDef, type Choices } from './intents.ts';
export { Builder } from './builder.ts';
export { vocabularyItems, optionString, type OptionVocabulary } from './vocabulary.ts';
