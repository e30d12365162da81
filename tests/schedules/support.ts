/** Shared by the schedule tests. */

/** trigger_schedule → greet: the run's output says hello to the schedule input's `name`. */
export const greeting = {
  blocks: [
    { id: "trg", type: "trigger_schedule", params: {} },
    { id: "greet", type: "greet", params: { name: "{{trg.name}}" } },
  ],
  edges: [{ source: "trg", target: "greet" }],
};
