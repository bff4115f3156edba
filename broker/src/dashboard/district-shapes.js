// Ho Chi Minh City's 22 districts as the product draws them: SCHEMATIC shapes, drawn by us on
// a grid of 30-unit cells (docs/dashboard.md, "District map"), not survey boundaries. Each district sits where
// it lies relative to its neighbours (Củ Chi north-west, Cần Giờ south-east, Thủ Đức east across
// the river, the inner districts in the middle), but the inner districts are enlarged so that each
// can be read and clicked, and no shape or area is true. Nothing is fetched: no map tiles.
// `path` is SVG path data in a 480 × 690 box; `label` is where the district's short name goes.
export const MAP_BOX = { width: 480, height: 690 };

export const DISTRICT_SHAPES = {
  'q1': { path: 'M300 330 L360 330 L360 360 L330 360 L330 420 L300 420 Z', short: 'Q1', label: [315, 375] },
  'q3': { path: 'M210 330 L300 330 L300 390 L270 390 L270 360 L210 360 Z', short: 'Q3', label: [255, 345] },
  'q4': { path: 'M270 420 L330 420 L330 480 L300 480 L300 450 L270 450 Z', short: 'Q4', label: [315, 435] },
  'q5': { path: 'M240 390 L300 390 L300 420 L270 420 L270 450 L210 450 L210 420 L240 420 Z', short: 'Q5', label: [255, 405] },
  'q6': { path: 'M150 420 L210 420 L210 450 L150 450 Z', short: 'Q6', label: [165, 435] },
  'q7': { path: 'M300 480 L360 480 L360 540 L300 540 Z', short: 'Q7', label: [315, 495] },
  'q8': { path: 'M150 450 L300 450 L300 510 L180 510 L180 480 L150 480 Z', short: 'Q8', label: [225, 465] },
  'q10': { path: 'M210 360 L270 360 L270 390 L240 390 L240 420 L210 420 Z', short: 'Q10', label: [225, 375] },
  'q11': { path: 'M150 360 L210 360 L210 420 L150 420 Z', short: 'Q11', label: [165, 375] },
  'q12': { path: 'M210 120 L270 120 L270 150 L300 150 L300 210 L210 210 L210 240 L150 240 L150 210 L180 210 L180 150 L210 150 Z', short: 'Q12', label: [225, 165] },
  'binh-thanh': { path: 'M300 210 L330 210 L330 240 L360 240 L360 330 L300 330 Z', short: 'B.Thạnh', label: [315, 285] },
  'go-vap': { path: 'M210 210 L300 210 L300 270 L210 270 Z', short: 'G.Vấp', label: [255, 225] },
  'phu-nhuan': { path: 'M240 270 L300 270 L300 330 L240 330 Z', short: 'P.Nhuận', label: [255, 285] },
  'tan-binh': { path: 'M150 240 L210 240 L210 270 L240 270 L240 330 L150 330 Z', short: 'T.Bình', label: [195, 285] },
  'tan-phu': { path: 'M120 270 L150 270 L150 330 L210 330 L210 360 L120 360 Z', short: 'T.Phú', label: [150, 345] },
  'binh-tan': { path: 'M90 330 L120 330 L120 360 L150 360 L150 450 L120 450 L120 420 L90 420 Z', short: 'B.Tân', label: [120, 390] },
  'thu-duc': { path: 'M300 90 L420 90 L420 120 L450 120 L450 150 L480 150 L480 300 L450 300 L450 360 L420 360 L420 420 L360 420 L360 390 L330 390 L330 360 L360 360 L360 240 L330 240 L330 210 L300 210 Z', short: 'Thủ Đức', label: [405, 225] },
  'binh-chanh': { path: 'M60 180 L120 180 L120 210 L150 210 L150 270 L120 270 L120 330 L90 330 L90 420 L120 420 L120 450 L150 450 L150 480 L180 480 L180 510 L210 510 L210 570 L120 570 L120 540 L90 540 L90 510 L60 510 L60 480 L30 480 L30 210 L60 210 Z', short: 'Bình Chánh', label: [60, 300] },
  'can-gio': { path: 'M360 540 L450 540 L450 570 L480 570 L480 690 L360 690 L360 660 L300 660 L300 630 L270 630 L270 600 L300 600 L300 570 L360 570 Z', short: 'Cần Giờ', label: [405, 615] },
  'cu-chi': { path: 'M0 0 L150 0 L150 30 L180 30 L180 60 L150 60 L150 90 L120 90 L120 180 L60 180 L60 150 L30 150 L30 120 L0 120 Z', short: 'Củ Chi', label: [75, 75] },
  'hoc-mon': { path: 'M150 60 L210 60 L210 150 L180 150 L180 210 L120 210 L120 90 L150 90 Z', short: 'Hóc Môn', label: [165, 135] },
  'nha-be': { path: 'M210 510 L300 510 L300 540 L360 540 L360 570 L300 570 L300 600 L270 600 L270 630 L240 630 L240 600 L210 600 Z', short: 'Nhà Bè', label: [255, 555] },
};
