// Rewrites the user-data blocks of cfn/foreshock.yaml from src/testbed/aws/user-data.ts, so the
// template never needs hand-editing of the scripts. A block is the body of a line
//   Fn::Base64: !Sub | # foreshock:user-data <role>
// up to the next line indented no deeper than that header. test/aws/template.test.ts fails when
// the file differs from what this script writes.
//   npx tsx scripts/aws/render-template.ts [--check]

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AWS_ROLES, renderUserDataTemplate, type AwsRole } from '../../src/testbed/aws/user-data.ts';

export const TEMPLATE_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'cfn',
  'foreshock.yaml',
);

const HEADER = /^( *)Fn::Base64: !Sub \| # foreshock:user-data ([a-z]+)$/;

export function renderTemplate(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    const m = HEADER.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    const role = m[2]!;
    if (!(AWS_ROLES as readonly string[]).includes(role)) throw new Error(`unknown role ${role} in: ${line}`);
    // Skip the old body: blank lines and lines indented deeper than the header.
    let j = i + 1;
    while (j < lines.length && (lines[j]!.trim() === '' || lines[j]!.search(/\S/) > indent)) j++;
    // Blank lines at the end belong to the YAML around the block, not to the script.
    while (j > i + 1 && lines[j - 1]!.trim() === '') j--;
    const pad = ' '.repeat(indent + 2);
    const body = renderUserDataTemplate(role as AwsRole).replace(/\n$/, '');
    for (const l of body.split('\n')) out.push(l === '' ? '' : pad + l);
    i = j - 1;
  }
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const before = readFileSync(TEMPLATE_PATH, 'utf8');
  const after = renderTemplate(before);
  if (process.argv.includes('--check')) {
    if (before !== after) {
      console.error(`${TEMPLATE_PATH}: user data out of date; run npx tsx scripts/aws/render-template.ts`);
      process.exit(1);
    }
  } else if (before !== after) {
    writeFileSync(TEMPLATE_PATH, after);
    console.error(`${TEMPLATE_PATH}: user data rewritten`);
  }
}
