
gen-order-lines_changed-0001tm-demo€บีย4 €ุมข4*genericRB>
T1001"+
L1	SKU-RED-L็พๆฏๅดๅทพ ็บข่ฒ L (ý-€€เ๒ย4