/** A dense float64 matrix in row-major (C) order: entry (i, j) is data[i * cols + j]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function zerosMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function matrixFromRows(rowsArr: readonly (readonly number[])[]): Matrix {
  const rows = rowsArr.length;
  const cols = rows === 0 ? 0 : rowsArr[0].length;
  const data = new Float64Array(rows * cols);
  rowsArr.forEach((row, i) => {
    if (row.length !== cols)
      throw new RangeError(`row ${i} has ${row.length} entries, expected ${cols}`);
    data.set(row, i * cols);
  });
  return { rows, cols, data };
}

export function cloneMatrix(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: new Float64Array(m.data) };
}
