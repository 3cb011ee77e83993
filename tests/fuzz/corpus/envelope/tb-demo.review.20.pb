
gen-review-revised-0001tb-demo€ºÕÂœ4 €ØÁ¢Œ4*genericbE
V3001T1001buyer-77"	SKU-RED-M(2å®¢æœå¤„ç†å¾ˆåŠæ—¶@€Šî¹4P