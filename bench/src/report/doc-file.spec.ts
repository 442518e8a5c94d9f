import { BEGIN, END, replaceBetweenMarkers } from './doc-file';

describe('rewriting the generated part of docs/benchmarks.md', () => {
  it('creates the file with its markers when there is none', () => {
    expect(replaceBetweenMarkers(undefined, 'tables')).toBe(`# Benchmarks\n\n${BEGIN}\ntables\n${END}\n`);
  });

  it('replaces only what is between the markers', () => {
    const doc = `# Benchmarks\n\n## Web app\nLighthouse: 98\n\n${BEGIN}\nold tables\n${END}\n\n## Notes\nkeep me\n`;
    const next = replaceBetweenMarkers(doc, 'new tables');
    expect(next).toBe(`# Benchmarks\n\n## Web app\nLighthouse: 98\n\n${BEGIN}\nnew tables\n${END}\n\n## Notes\nkeep me\n`);
    expect(replaceBetweenMarkers(next, 'new tables')).toBe(next);
  });

  it('appends the markers after what others wrote when they are missing', () => {
    expect(replaceBetweenMarkers('# Benchmarks\n\n## Web app\nfast\n', 'tables')).toBe(`# Benchmarks\n\n## Web app\nfast\n\n${BEGIN}\ntables\n${END}\n`);
  });

  it('refuses to guess when only one marker is there', () => {
    expect(() => replaceBetweenMarkers(`intro\n${BEGIN}\nsomeone's section\n`, 'tables')).toThrow(/one of/);
    expect(() => replaceBetweenMarkers(`intro\n${END}\n`, 'tables')).toThrow(/one of/);
  });
});
