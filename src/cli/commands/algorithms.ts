import type { CommandModule } from 'yargs';
import { listAlgorithms } from '../../algorithms/registry.ts';

export const algorithmsCommand: CommandModule = {
  handler: () => {
    for (const def of listAlgorithms()) {
      console.log(`${def.name} (${def.kind}): ${def.summary}`);
      for (const [key, spec] of Object.entries(def.params)) {
        const range =
          'min' in spec || 'max' in spec
            ? ` [${'min' in spec && spec.min !== undefined ? spec.min : ''}..${'max' in spec && spec.max !== undefined ? spec.max : ''}]`
            : '';
        console.log(`  ${key} = ${JSON.stringify(spec.default)}${range}  ${spec.doc}  (${spec.source})`);
      }
    }
  },
};
