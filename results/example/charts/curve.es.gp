set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set decimalsign ','
set output 'curve.es.svg'
set title 'Latencia frente a peticiones por segundo (bucle abierto)'
set xtics ("0" 0, "2 000" 2000, "4 000" 4000, "6 000" 6000, "8 000" 8000, "10 000" 10000, "12 000" 12000, "14 000" 14000, "16 000" 16000)
set ytics ("1" 1, "10" 10, "100" 100, "1 000" 1000)
set xlabel 'peticiones verificadas por segundo'
set ylabel 'latencia p99 (ms)'
set logscale y
set key top left
plot 'curve.dat' index 0 using 2:3 with linespoints ls 1 title 'Monolito', '' index 1 using 2:3 with linespoints ls 2 title 'Microservicios', '' index 2 using 2:3 with linespoints ls 3 title 'Serverless (FaaS)'
