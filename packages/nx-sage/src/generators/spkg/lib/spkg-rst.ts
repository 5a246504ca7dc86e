/** SPKG.rst: a title (`name: Description`, which Sage's bootstrap uses for --enable-<pkg> help) and sections. */
export function buildSpkgRst(facts: { name: string; description: string; license?: string; upstreamContact?: string }): string {
  const summary = normalizeSummary(facts.name, facts.description);
  const title = summary ? `${facts.name}: ${summary}` : facts.name;
  return [
    heading(title, '='),
    heading('Description', '-'),
    ...(summary ? [`${summary}\n\n`] : []),
    heading('License', '-'),
    ...(facts.license ? [`${facts.license}\n\n`] : []),
    heading('Upstream Contact', '-'),
    ...(facts.upstreamContact ? [`${facts.upstreamContact}\n\n`] : []),
  ]
    .join('')
    .replace(/\n+$/, '\n');
}

// "foo is a library for X." → "Library for X": the style of Sage's titles.
function normalizeSummary(name: string, description: string): string {
  let text = description.trim().replace(/\s+/g, ' ');
  for (const prefix of [`${name}:`, `${name} is `]) {
    if (text.toLowerCase().startsWith(prefix.toLowerCase())) text = text.slice(prefix.length).trim();
  }
  text = text.replace(/^(an?|the) /i, '');
  if (!text.endsWith('etc.')) text = text.replace(/\.+$/, '');
  return text ? text[0].toUpperCase() + text.slice(1) : '';
}

function heading(title: string, underline: string): string {
  return `${title}\n${underline.repeat(title.length)}\n\n`;
}
