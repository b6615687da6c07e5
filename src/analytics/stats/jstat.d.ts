// jstat ships no types; these are the few distribution functions soceval uses.
declare module "jstat" {
  const jStat: {
    normal: { inv(p: number, mean: number, sd: number): number; cdf(x: number, mean: number, sd: number): number };
    studentt: { inv(p: number, dof: number): number };
    ibeta(x: number, a: number, b: number): number;
    gammaln(x: number): number;
  };
  export default jStat;
}
